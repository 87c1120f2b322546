//! `evcat export`: the catalog in the shapes other tools read. `json` is the discovery model as
//! one versioned document (`schemas/export.schema.json`), `asyncapi` one AsyncAPI 3.0 document
//! per service; every exporter starts from the same
//! model (`discover::Discovery`), never from a second walk of the catalog.

pub mod asyncapi;
pub mod backstage;
pub mod json;
