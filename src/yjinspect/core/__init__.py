"""Pure-Python core: statistics, ratings and sampling, with no Django import."""
