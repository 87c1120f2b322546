//! `evcat export`: the catalog in the shapes other tools read. `json` is the discovery model as
//! one versioned document (documented in docs/export.md); every exporter starts from the same
//! model (`discover::Discovery`), never from a second walk of the catalog.

pub mod json;
