//! glTF 2.0 importer (placeholder; being written).
