//! The Protobuf files every Confluent registry resolves by name, with no reference: Google's
//! `google/protobuf/*.proto` (built into protox), and those Confluent's Protobuf provider ships,
//! `google/type/*.proto` (copied from Google's common protos, Apache License 2.0, headers kept)
//! and `confluent/meta.proto` and `confluent/type/decimal.proto` (field tags, decimals). The
//! catalog, `evcat compat` and the served registry resolve them the same way.

use protox::file::{File, FileResolver};

/// The shipped files, by import path.
const FILES: &[(&str, &str)] = &[
    (
        "google/type/calendar_period.proto",
        include_str!("wellknown/google/type/calendar_period.proto"),
    ),
    (
        "google/type/color.proto",
        include_str!("wellknown/google/type/color.proto"),
    ),
    (
        "google/type/date.proto",
        include_str!("wellknown/google/type/date.proto"),
    ),
    (
        "google/type/datetime.proto",
        include_str!("wellknown/google/type/datetime.proto"),
    ),
    (
        "google/type/dayofweek.proto",
        include_str!("wellknown/google/type/dayofweek.proto"),
    ),
    (
        "google/type/decimal.proto",
        include_str!("wellknown/google/type/decimal.proto"),
    ),
    (
        "google/type/expr.proto",
        include_str!("wellknown/google/type/expr.proto"),
    ),
    (
        "google/type/fraction.proto",
        include_str!("wellknown/google/type/fraction.proto"),
    ),
    (
        "google/type/interval.proto",
        include_str!("wellknown/google/type/interval.proto"),
    ),
    (
        "google/type/latlng.proto",
        include_str!("wellknown/google/type/latlng.proto"),
    ),
    (
        "google/type/localized_text.proto",
        include_str!("wellknown/google/type/localized_text.proto"),
    ),
    (
        "google/type/money.proto",
        include_str!("wellknown/google/type/money.proto"),
    ),
    (
        "google/type/month.proto",
        include_str!("wellknown/google/type/month.proto"),
    ),
    (
        "google/type/phone_number.proto",
        include_str!("wellknown/google/type/phone_number.proto"),
    ),
    (
        "google/type/postal_address.proto",
        include_str!("wellknown/google/type/postal_address.proto"),
    ),
    (
        "google/type/quaternion.proto",
        include_str!("wellknown/google/type/quaternion.proto"),
    ),
    (
        "google/type/timeofday.proto",
        include_str!("wellknown/google/type/timeofday.proto"),
    ),
    (
        "confluent/meta.proto",
        include_str!("wellknown/confluent/meta.proto"),
    ),
    (
        "confluent/type/decimal.proto",
        include_str!("wellknown/confluent/type/decimal.proto"),
    ),
];

/// The text of a shipped file (not `google/protobuf/*`, which protox has), by import path.
pub fn source(import: &str) -> Option<&'static str> {
    FILES
        .iter()
        .find(|(name, _)| *name == import)
        .map(|(_, text)| *text)
}

/// Whether a registry resolves `import` by itself: no reference, compared by name.
pub fn is_builtin(import: &str) -> bool {
    import.starts_with("google/protobuf/") || source(import).is_some()
}

/// Resolves the shipped files for protox (after its own Google resolver).
pub struct WellKnownResolver;

impl FileResolver for WellKnownResolver {
    fn open_file(&self, name: &str) -> Result<File, protox::Error> {
        match source(name) {
            Some(text) => File::from_source(name, text),
            None => Err(protox::Error::file_not_found(name)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_file_compiles() {
        for (name, _) in FILES {
            let mut resolver = protox::file::ChainFileResolver::new();
            resolver.add(protox::file::GoogleFileResolver::new());
            resolver.add(WellKnownResolver);
            let mut compiler = protox::Compiler::with_file_resolver(resolver);
            compiler
                .open_file(name)
                .unwrap_or_else(|error| panic!("{name}: {error}"));
        }
        assert!(is_builtin("google/type/money.proto"));
        assert!(is_builtin("confluent/meta.proto"));
        assert!(is_builtin("google/protobuf/timestamp.proto"));
        assert!(!is_builtin("acme/money.proto"));
    }
}
