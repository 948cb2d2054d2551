//! Misbehaving peers (being written).
