//! Staff training and exam compliance (三基 考核): participation and pass rates.
