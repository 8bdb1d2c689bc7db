"""Compares Telegen's proto/ schema with the official opentelemetry-proto package.

Usage: compare_descriptors.py OUR_DESCRIPTOR_SET

OUR_DESCRIPTOR_SET is a FileDescriptorSet made by `protoc-c --descriptor_set_out`
from proto/. Every message, field (number, type, label, message/enum type) and enum
value of the official files must be present with the same meaning. Telegen's
one-member oneofs `_sum` etc. stand for upstream's proto3 `optional` (same wire
format); that is the only difference allowed. Prints one line per mismatch and
exits 1 if there is any.
"""
import sys

from google.protobuf import any_pb2, descriptor_pb2, duration_pb2
from google.rpc import error_details_pb2, status_pb2
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2
from opentelemetry.proto.common.v1 import common_pb2
from opentelemetry.proto.logs.v1 import logs_pb2
from opentelemetry.proto.metrics.v1 import metrics_pb2
from opentelemetry.proto.resource.v1 import resource_pb2


# google.rpc's error_details.proto defines many messages; Telegen restates only RetryInfo.
PARTIAL_FILES = {"google/rpc/error_details.proto": {"google.rpc.RetryInfo"}}


def official_files():
    files = {}
    for module in (common_pb2, resource_pb2, metrics_pb2, logs_pb2, metrics_service_pb2, logs_service_pb2,
                   any_pb2, duration_pb2, status_pb2, error_details_pb2):
        proto = descriptor_pb2.FileDescriptorProto()
        module.DESCRIPTOR.CopyToProto(proto)
        files[proto.name] = proto
    return files


def messages(prefix, message_types):
    for message in message_types:
        name = f"{prefix}.{message.name}"
        yield name, message
        yield from messages(name, message.nested_type)


def enums(prefix, file_or_message):
    for enum in file_or_message.enum_type:
        yield f"{prefix}.{enum.name}", enum
    for message in getattr(file_or_message, "message_type", []) or getattr(file_or_message, "nested_type", []):
        yield from enums(f"{prefix}.{message.name}", message)


def main():
    ours = descriptor_pb2.FileDescriptorSet()
    with open(sys.argv[1], "rb") as handle:
        ours.ParseFromString(handle.read())
    our_files = {f.name: f for f in ours.file}
    problems = []
    checked_fields = 0
    for file_name, official in official_files().items():
        mine = our_files.get(file_name)
        if mine is None:
            problems.append(f"{file_name}: missing")
            continue
        if mine.package != official.package:
            problems.append(f"{file_name}: package {mine.package} != {official.package}")
        our_messages = dict(messages(mine.package, mine.message_type))
        wanted = PARTIAL_FILES.get(file_name)
        for name, message in messages(official.package, official.message_type):
            if wanted is not None and name not in wanted:
                continue
            our_message = our_messages.get(name)
            if our_message is None:
                problems.append(f"{name}: missing message")
                continue
            our_fields = {f.name: f for f in our_message.field}
            for field in message.field:
                checked_fields += 1
                mine_field = our_fields.get(field.name)
                if mine_field is None:
                    problems.append(f"{name}.{field.name}: missing field")
                    continue
                for attribute in ("number", "type", "label", "type_name"):
                    if getattr(mine_field, attribute) != getattr(field, attribute):
                        problems.append(f"{name}.{field.name}: {attribute} {getattr(mine_field, attribute)!r} != {getattr(field, attribute)!r}")
                if field.proto3_optional:
                    # Our stand-in: a oneof named like protoc's synthetic one.
                    if not mine_field.HasField("oneof_index") or our_message.oneof_decl[mine_field.oneof_index].name != f"_{field.name}":
                        problems.append(f"{name}.{field.name}: optional field is not in a oneof _{field.name}")
                elif field.HasField("oneof_index"):
                    if not mine_field.HasField("oneof_index") or \
                            our_message.oneof_decl[mine_field.oneof_index].name != message.oneof_decl[field.oneof_index].name:
                        problems.append(f"{name}.{field.name}: not in oneof {message.oneof_decl[field.oneof_index].name}")
            extra = set(our_fields) - {f.name for f in message.field}
            for field in sorted(extra):
                problems.append(f"{name}.{field}: not in the official schema")
        our_enums = dict(enums(mine.package, mine))
        for name, enum in enums(official.package, official):
            if wanted is not None:
                continue
            our_enum = our_enums.get(name)
            if our_enum is None:
                problems.append(f"{name}: missing enum")
                continue
            if [(v.name, v.number) for v in our_enum.value] != [(v.name, v.number) for v in enum.value]:
                problems.append(f"{name}: enum values differ")
        for service in official.service:
            our_service = next((s for s in mine.service if s.name == service.name), None)
            if our_service is None:
                problems.append(f"{official.package}.{service.name}: missing service")
                continue
            for method in service.method:
                our_method = next((m for m in our_service.method if m.name == method.name), None)
                if our_method is None or (our_method.input_type, our_method.output_type) != (method.input_type, method.output_type):
                    problems.append(f"{service.name}.{method.name}: differs")
    for problem in problems:
        print(problem)
    print(f"checked {checked_fields} fields in {len(official_files())} files", file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
