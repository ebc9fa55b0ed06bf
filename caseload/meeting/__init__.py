"""The allocation meeting (DOMAIN.md section 7, issue 5): cycle settings and feed, the board, duty, proposal."""
