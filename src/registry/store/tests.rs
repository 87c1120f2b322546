//! The embedded store against Confluent's documented behaviour.

use super::*;

fn avro(text: &str) -> StoredSchema {
    StoredSchema {
        schema: text.to_string(),
        schema_type: Format::Avro,
        references: Vec::new(),
    }
}

const V1: &str = r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#;
const V2: &str = r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string","default":""}]}"#;
const BREAKING: &str = r#"{"type":"record","name":"R","fields":[{"name":"a","type":"string"}]}"#;

#[test]
fn deferred_saves_are_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut store = Store::open(dir.path()).unwrap();
        store.register("kept", avro(V1)).unwrap();
        store.defer_saves();
        store.register("lost-a", avro(V1)).unwrap();
        store.register("lost-b", avro(V2)).unwrap();
        // Dropped without a flush, as a killed push would leave it.
    }
    let mut store = Store::open(dir.path()).unwrap();
    assert_eq!(store.subjects(Deleted::Hide), ["kept"]);
    store.defer_saves();
    store.register("a", avro(V1)).unwrap();
    store.register("b", avro(V2)).unwrap();
    store.flush().unwrap();
    drop(store);
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.subjects(Deleted::Hide), ["a", "b", "kept"]);
    // Equal schemas share one id, found through the identity index after reopening too.
    assert_eq!(
        store.version("a", VersionSelector::Latest).unwrap().id,
        store.version("kept", VersionSelector::Latest).unwrap().id
    );
}

#[test]
fn layout_does_not_make_a_new_version() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let compact = StoredSchema {
        schema: r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#.into(),
        schema_type: Format::Avro,
        references: Vec::new(),
    };
    let spread = StoredSchema {
        schema: "{\n  \"name\": \"R\",\n  \"type\": \"record\",\n  \"fields\": [{\"name\": \"a\", \"type\": \"int\"}]\n}".into(),
        ..compact.clone()
    };
    let id = store.register("s", compact).unwrap();
    assert_eq!(store.lookup("s", &spread).unwrap().id, id);
    assert_eq!(store.register("s", spread).unwrap(), id);
    assert_eq!(store.versions("s", Deleted::Hide).unwrap(), vec![1]);
}

#[test]
fn ids_are_global_and_registration_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let first = store.register("a-value", avro(V1)).unwrap();
    assert_eq!(store.register("a-value", avro(V1)).unwrap(), first);
    assert_eq!(store.versions("a-value", Deleted::Hide).unwrap(), [1]);
    assert_eq!(
        store.register("b-value", avro(V1)).unwrap(),
        first,
        "same schema, same id"
    );
    let second = store.register("a-value", avro(V2)).unwrap();
    assert_ne!(second, first);
    assert_eq!(
        store
            .version("a-value", VersionSelector::Latest)
            .unwrap()
            .version,
        2
    );
    assert_eq!(store.lookup("a-value", &avro(V1)).unwrap().version, 1);
    assert_eq!(
        store.lookup("a-value", &avro(BREAKING)).unwrap_err().code,
        40403
    );
    assert_eq!(store.lookup("nope", &avro(V1)).unwrap_err().code, 40401);
}

#[test]
fn incompatible_schemas_are_refused_unless_importing() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    store.register("s", avro(V1)).unwrap();
    let error = store.register("s", avro(BREAKING)).unwrap_err();
    assert_eq!(error.code, 409);
    assert!(error.message.contains("TYPE_MISMATCH"), "{}", error.message);
    store
        .set_compatibility(Some("s"), CompatibilityLevel::None)
        .unwrap();
    assert!(store.register("s", avro(BREAKING)).is_ok());
    store
        .set_compatibility(Some("s"), CompatibilityLevel::Backward)
        .unwrap();
    store.set_mode(Some("s"), Mode::Import).unwrap();
    assert!(
        store.register("s", avro(V2)).is_ok(),
        "IMPORT skips the check"
    );
    store.set_mode(None, Mode::Readonly).unwrap();
    store.set_mode(Some("s"), Mode::Readonly).unwrap();
    assert_eq!(store.register("s", avro(V1)).unwrap_err().code, 42205);
}

#[test]
fn deletes_are_soft_then_permanent() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    store.register("s", avro(V1)).unwrap();
    store.register("s", avro(V2)).unwrap();
    assert_eq!(store.delete_subject("s", true).unwrap_err().code, 40405);
    assert_eq!(store.delete_subject("s", false).unwrap(), [1, 2]);
    assert!(store.subjects(Deleted::Hide).is_empty());
    assert_eq!(store.subjects(Deleted::Include), ["s"]);
    assert_eq!(store.delete_subject("s", true).unwrap(), [1, 2]);
    assert!(store.subjects(Deleted::Include).is_empty());
    // Versions count on after deletes of single versions.
    store.register("t", avro(V1)).unwrap();
    store
        .delete_version("t", VersionSelector::Number(1), false)
        .unwrap();
    store.register("t", avro(V2)).unwrap();
    assert_eq!(store.versions("t", Deleted::Include).unwrap(), [1, 2]);
    assert_eq!(
        store
            .delete_version("t", VersionSelector::Number(2), true)
            .unwrap_err()
            .code,
        40407
    );
}

#[test]
fn state_survives_reopening_and_the_folder_is_locked() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut store = Store::open(dir.path()).unwrap();
        store.register("s", avro(V1)).unwrap();
        #[cfg(unix)]
        assert_eq!(
            Store::open(dir.path()).err().map(|error| error.code),
            Some(50003)
        );
    }
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(
        store
            .version("s", VersionSelector::Latest)
            .unwrap()
            .schema
            .schema,
        V1
    );
    assert!(!dir.path().join("state.json.tmp").exists());
}

#[test]
fn damaged_state_is_reported_not_trusted() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("state.json"), "{not json").unwrap();
    assert_eq!(
        Store::open(dir.path()).err().map(|error| error.code),
        Some(50001)
    );
    let dangling = r#"{"next_id":2,"schemas":{},"subjects":{"s":{"versions":[{"version":1,"id":1}]}},
        "compatibility":"BACKWARD","mode":"READWRITE"}"#;
    std::fs::write(dir.path().join("state.json"), dangling).unwrap();
    let error = Store::open(dir.path()).err().unwrap();
    assert_eq!(error.code, 50001);
    assert!(
        error.message.contains("names schema 1"),
        "{}",
        error.message
    );
}

#[test]
fn references_resolve_to_registered_versions() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let money = r#"{"type":"record","name":"Money","namespace":"acme","fields":[{"name":"cents","type":"long"}]}"#;
    store.register("acme.Money", avro(money)).unwrap();
    let paid = StoredSchema {
        schema: r#"{"type":"record","name":"Paid","namespace":"acme","fields":[{"name":"amount","type":"Money"}]}"#.to_string(),
        schema_type: Format::Avro,
        references: vec![Reference {
            name: "acme.Money".to_string(),
            subject: "acme.Money".to_string(),
            version: 1,
        }],
    };
    let id = store.register("paid-value", paid).unwrap();
    assert_eq!(store.referenced_by("acme.Money", 1), [id]);
    let dangling = StoredSchema {
        references: vec![Reference {
            name: "x".to_string(),
            subject: "missing".to_string(),
            version: 1,
        }],
        ..avro(V1)
    };
    // Confluent: a reference the registry does not hold makes the schema invalid (42201).
    assert_eq!(store.register("other", dangling).unwrap_err().code, 42201);
}
