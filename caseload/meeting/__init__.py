"""The allocation meeting (docs/domain.md section 7, issue 5): cycle settings and feed, the board, duty, proposal."""
