//! Property test of the market (being written).
