//! Many clients and faults under load (being written).
