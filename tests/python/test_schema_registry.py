"""Confluent's Python client (confluent-kafka) against `evcat registry serve`.

Run by tests/python_client.rs, which sets EVCAT_BIN to the built binary. Each test starts its own
registry on a free loopback port, in a fresh folder, so tests do not share state.
"""

import os
import subprocess
import tempfile

import pytest
from confluent_kafka.schema_registry import (
    Schema,
    SchemaReference,
    SchemaRegistryClient,
)
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer, ProtobufSerializer
from confluent_kafka.serialization import MessageField, SerializationContext
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory


@pytest.fixture
def registry_url():
    """A served registry; yields its URL, stops the server afterwards."""
    folder = tempfile.mkdtemp(prefix="evcat-registry-")
    server = subprocess.Popen(
        [os.environ["EVCAT_BIN"], "registry", "serve", "--listen", "127.0.0.1:0", "--dir", folder],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = server.stderr.readline()
        address = line.strip().rsplit("http://", 1)[1]
        yield f"http://{address}"
    finally:
        server.kill()
        server.wait(timeout=10)


@pytest.fixture
def registry(registry_url):
    """A client of a served registry."""
    return SchemaRegistryClient({"url": registry_url})


PAYMENT_V1 = """{"type": "record", "name": "Payment", "namespace": "acme",
  "fields": [{"name": "id", "type": "string"}, {"name": "amount", "type": "long"}]}"""
PAYMENT_V2 = """{"type": "record", "name": "Payment", "namespace": "acme",
  "fields": [{"name": "id", "type": "string"}, {"name": "amount", "type": "long"},
             {"name": "note", "type": ["null", "string"], "default": null}]}"""
PAYMENT_BREAKING = """{"type": "record", "name": "Payment", "namespace": "acme",
  "fields": [{"name": "id", "type": "string"}, {"name": "amount", "type": "long"},
             {"name": "merchant", "type": "string"}]}"""


def test_register_look_up_and_read_back(registry):
    schema_id = registry.register_schema("payments-value", Schema(PAYMENT_V1, "AVRO"))
    assert registry.register_schema("payments-value", Schema(PAYMENT_V1, "AVRO")) == schema_id
    assert "AVRO" in registry.get_schema_types()
    assert registry.get_schema(schema_id).schema_type == "AVRO"
    latest = registry.get_latest_version("payments-value")
    assert (latest.schema_id, latest.version) == (schema_id, 1)
    assert registry.get_version("payments-value", 1).schema_id == schema_id
    found = registry.lookup_schema("payments-value", Schema(PAYMENT_V1, "AVRO"))
    assert found.version == 1
    assert registry.get_subjects() == ["payments-value"]
    assert registry.get_versions("payments-value") == [1]
    assert registry.get_subjects_by_schema_id(schema_id) == ["payments-value"]
    assert registry.get_schema_versions(schema_id)[0].subject == "payments-value"
    assert registry.get_contexts() == ["."]


def test_compatibility_config_and_verbose_checks(registry):
    registry.register_schema("payments-value", Schema(PAYMENT_V1, "AVRO"))
    assert registry.get_compatibility() == "BACKWARD"
    answer = registry.set_compatibility("payments-value", "FULL_TRANSITIVE")
    assert answer == {"compatibility": "FULL_TRANSITIVE"}
    assert registry.get_compatibility("payments-value") == "FULL_TRANSITIVE"
    assert registry.test_compatibility("payments-value", Schema(PAYMENT_V2, "AVRO"))
    compatible = registry.test_compatibility(
        "payments-value", Schema(PAYMENT_BREAKING, "AVRO"), verbose=True
    )
    assert compatible is False
    assert not registry.test_compatibility_all_versions(
        "payments-value", Schema(PAYMENT_BREAKING, "AVRO")
    )
    with pytest.raises(SchemaRegistryError) as refused:
        registry.register_schema("payments-value", Schema(PAYMENT_BREAKING, "AVRO"))
    assert refused.value.http_status_code == 409


def test_references_direct_and_transitive(registry):
    money = '{"type": "record", "name": "Money", "namespace": "acme", "fields": [{"name": "units", "type": "long"}]}'
    line = '{"type": "record", "name": "Line", "namespace": "acme", "fields": [{"name": "price", "type": "acme.Money"}]}'
    order = '{"type": "record", "name": "Order", "namespace": "acme", "fields": [{"name": "line", "type": "acme.Line"}]}'
    registry.register_schema("money", Schema(money, "AVRO"))
    registry.register_schema(
        "line", Schema(line, "AVRO", [SchemaReference("acme.Money", "money", 1)])
    )
    # Order lists only Line; Money is found through Line's own reference.
    order_id = registry.register_schema(
        "orders-value", Schema(order, "AVRO", [SchemaReference("acme.Line", "line", -1)])
    )
    stored = registry.get_schema(order_id)
    assert [(ref.name, ref.subject) for ref in stored.references] == [("acme.Line", "line")]
    assert registry.get_referenced_by("line", 1) == [order_id]
    with pytest.raises(SchemaRegistryError) as protected:
        registry.delete_subject("line")
    assert protected.value.error_code == 42206


def test_deletes_soft_then_permanent(registry):
    registry.register_schema("payments-value", Schema(PAYMENT_V1, "AVRO"))
    registry.register_schema("payments-value", Schema(PAYMENT_V2, "AVRO"))
    assert registry.delete_version("payments-value", 2) == 2
    assert registry.delete_version("payments-value", 2, permanent=True) == 2
    assert registry.get_versions("payments-value") == [1]
    assert registry.delete_subject("payments-value") == [1]
    with pytest.raises(SchemaRegistryError):
        registry.get_latest_version("payments-value")
    assert registry.delete_subject("payments-value", permanent=True) == [1]
    assert registry.get_subjects() == []


@pytest.mark.parametrize("auto_register", [True, False])
def test_avro_round_trip(registry, auto_register):
    context = SerializationContext("payments", MessageField.VALUE)
    if not auto_register:
        registry.register_schema("payments-value", Schema(PAYMENT_V1, "AVRO"))
    serializer = AvroSerializer(
        registry, PAYMENT_V1, conf={"auto.register.schemas": auto_register}
    )
    payload = serializer({"id": "p-1", "amount": 1250}, context)
    deserializer = AvroDeserializer(registry)
    assert deserializer(payload, context) == {"id": "p-1", "amount": 1250}
    # use.latest.version: written with the latest registered version, read with it.
    registry.register_schema("payments-value", Schema(PAYMENT_V2, "AVRO"))
    latest = AvroSerializer(
        registry,
        None,
        conf={"auto.register.schemas": False, "use.latest.version": True},
    )
    payload = latest({"id": "p-2", "amount": 5, "note": "late"}, context)
    assert deserializer(payload, context)["note"] == "late"


SHIPMENT = """{"$schema": "http://json-schema.org/draft-07/schema#", "title": "Shipment",
  "type": "object", "properties": {"id": {"type": "string"}, "weight": {"type": "number"}},
  "required": ["id"]}"""


@pytest.mark.parametrize("auto_register", [True, False])
def test_json_schema_round_trip(registry, auto_register):
    context = SerializationContext("shipments", MessageField.VALUE)
    if not auto_register:
        registry.register_schema("shipments-value", Schema(SHIPMENT, "JSON"))
    serializer = JSONSerializer(SHIPMENT, registry, conf={"auto.register.schemas": auto_register})
    payload = serializer({"id": "s-1", "weight": 2.5}, context)
    assert JSONDeserializer(None, schema_registry_client=registry)(payload, context) == {
        "id": "s-1",
        "weight": 2.5,
    }
    latest = JSONSerializer(
        None,
        registry,
        conf={"auto.register.schemas": False, "use.latest.version": True},
    )
    assert JSONDeserializer(None, schema_registry_client=registry)(
        latest({"id": "s-2"}, context), context
    ) == {"id": "s-2"}


def order_message_class():
    """A Protobuf message class built at test time from a FileDescriptorProto (no protoc)."""
    file = descriptor_pb2.FileDescriptorProto(
        name="acme/order.proto", package="acme.test", syntax="proto3"
    )
    message = file.message_type.add(name="Order")
    message.field.add(
        name="id",
        number=1,
        type=descriptor_pb2.FieldDescriptorProto.TYPE_STRING,
        label=descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL,
    )
    message.field.add(
        name="quantity",
        number=2,
        type=descriptor_pb2.FieldDescriptorProto.TYPE_INT64,
        label=descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL,
    )
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("acme.test.Order"))


@pytest.mark.parametrize("auto_register", [True, False])
def test_protobuf_round_trip(registry, registry_url, auto_register):
    order = order_message_class()
    context = SerializationContext("orders", MessageField.VALUE)
    if not auto_register:
        # Registered as a serialized FileDescriptorProto, as the serializer itself would.
        first = ProtobufSerializer(order, registry, conf={"auto.register.schemas": True})
        first(order(id="warm-up", quantity=1), context)
    serializer = ProtobufSerializer(
        order, registry, conf={"auto.register.schemas": auto_register}
    )
    payload = serializer(order(id="o-1", quantity=3), context)
    deserializer = ProtobufDeserializer(order, {"use.deprecated.format": False}, registry)
    decoded = deserializer(payload, context)
    assert (decoded.id, decoded.quantity) == ("o-1", 3)
    # The registry keeps the descriptor as .proto source. (Read through a client of its own:
    # the client caches the latest version by subject whatever its format.)
    reader = SchemaRegistryClient({"url": registry_url})
    stored = reader.get_latest_version("orders-value").schema.schema_str
    assert "message Order" in stored, stored
    latest = ProtobufSerializer(
        order,
        registry,
        conf={"auto.register.schemas": False, "use.latest.version": True},
    )
    decoded = deserializer(latest(order(id="o-2", quantity=4), context), context)
    assert decoded.id == "o-2"
