"""Pages of the competence ladder. Thin: parse, call one service or selector, render."""
