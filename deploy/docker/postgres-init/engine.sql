-- The engine keeps its state in its own database of the same PostgreSQL; it migrates it at start.
CREATE DATABASE engine OWNER orderfleet;
