//! `evcat export json`: the discovery model, every schema's fields included, as one document.

use serde::Serialize;

use crate::discover::Discovery;

/// The document's shape version: it only grows (fields are added, never renamed or removed);
/// a change that would break readers gets a new version.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'d> {
    /// The shape's version ([`VERSION`]).
    version: u32,
    generator: String,
    /// False when some schema did not compile, so some events lack their fields.
    complete: bool,
    #[serde(flatten)]
    model: &'d Discovery,
}

/// The document, pretty-printed, with a final newline.
pub fn render(discovery: &Discovery) -> String {
    let document = Document {
        version: VERSION,
        generator: format!("evcat {}", env!("CARGO_PKG_VERSION")),
        complete: !discovery.incomplete,
        model: discovery,
    };
    // Serializing plain data (strings, numbers, lists and maps with string keys) cannot fail.
    serde_json::to_string_pretty(&document).unwrap_or_default() + "\n"
}
