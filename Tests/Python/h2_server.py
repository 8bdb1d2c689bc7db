"""A cleartext HTTP/2 server on hyper-h2 that misbehaves on request, for the
transport's failure paths. It answers every request it does handle like a gRPC
server answering OK with an empty message.

--mode goaway-first   on the first connection, answer the first request's HEADERS
                      with GOAWAY(last_stream_id=0): the request was not processed;
                      later connections behave
--mode reset          accept TCP connections and close them at once
--mode garbage        send bytes that are not HTTP/2 and close
--mode hang           accept requests and never answer them (a stalled backend);
                      each request is recorded as it arrives, as
                      {"connection": N, "stream": ID, "request": PATH}
--mode informational  answer with 103 Early Hints and 100 Continue before the 200
--mode flood          answer with a 200 and a body of --flood-bytes, sent as fast as
                      the client's flow-control windows allow; after each burst the
                      total sent on the stream is recorded as {"stream": ID, "sent": N}
--mode ok             behave

In every mode, a stream the client resets is recorded as
{"connection": N, "stream": ID, "reset": ERROR_CODE}.

Each handled request is appended to --record as a JSON line
{"connection": N, "stream": ID, "bytes": BODY_LENGTH, "grpc_encoding": ..., "compressed_flag": ...}.
Prints "READY <port>".
"""
import argparse
import json
import signal
import socket
import threading

import h2.config
import h2.connection
import h2.events


def pump(connection, flooding, record):
    """Sends what the windows allow of each flooded stream's remaining body."""
    for stream in list(flooding):
        remaining, sent = flooding[stream]
        while remaining > 0:
            window = min(connection.local_flow_control_window(stream), connection.max_outbound_frame_size)
            if window <= 0:
                break
            chunk = min(window, remaining)
            connection.send_data(stream, b"x" * chunk, end_stream=chunk == remaining)
            remaining -= chunk
            sent += chunk
        flooding[stream] = (remaining, sent)
        with open(record, "a") as handle:
            handle.write(json.dumps({"stream": stream, "sent": sent}) + "\n")
        if remaining == 0:
            del flooding[stream]


def serve(client, number, mode, record, flood_bytes):
    if mode == "reset":
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        client.close()
        return
    if mode == "garbage":
        client.recv(65536)
        client.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello" + bytes(range(256)))
        client.close()
        return
    connection = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=False))
    connection.initiate_connection()
    client.sendall(connection.data_to_send())
    flooding = {}
    bodies = {}
    encodings = {}
    first_bytes = {}
    try:
        while True:
            data = client.recv(65536)
            if not data:
                return
            for event in connection.receive_data(data):
                if isinstance(event, h2.events.RequestReceived):
                    if mode == "goaway-first" and number == 1:
                        connection.close_connection(last_stream_id=0)
                        client.sendall(connection.data_to_send())
                        client.close()
                        return
                    bodies[event.stream_id] = 0
                    headers = {name.decode() if isinstance(name, bytes) else name: value.decode() if isinstance(value, bytes) else value
                               for name, value in event.headers}
                    encodings[event.stream_id] = headers.get("grpc-encoding")
                    if mode == "hang":
                        with open(record, "a") as handle:
                            handle.write(json.dumps({"connection": number, "stream": event.stream_id, "request": headers.get(":path")}) + "\n")
                elif isinstance(event, h2.events.DataReceived):
                    if bodies.get(event.stream_id, 0) == 0 and event.data:
                        first_bytes[event.stream_id] = event.data[0]
                    bodies[event.stream_id] = bodies.get(event.stream_id, 0) + len(event.data)
                    connection.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                elif isinstance(event, h2.events.StreamReset):
                    flooding.pop(event.stream_id, None)
                    with open(record, "a") as handle:
                        handle.write(json.dumps({"connection": number, "stream": event.stream_id, "reset": event.error_code}) + "\n")
                elif isinstance(event, h2.events.StreamEnded) and mode == "hang":
                    continue
                elif isinstance(event, h2.events.StreamEnded):
                    stream = event.stream_id
                    if mode == "flood":
                        connection.send_headers(stream, [(":status", "200"), ("content-type", "application/octet-stream")])
                        flooding[stream] = (flood_bytes, 0)
                        continue
                    if mode == "informational":
                        connection.send_headers(stream, [(":status", "103"), ("link", "</style.css>; rel=preload")])
                        connection.send_headers(stream, [(":status", "100")])
                    connection.send_headers(stream, [(":status", "200"), ("content-type", "application/grpc")])
                    connection.send_data(stream, b"\x00\x00\x00\x00\x00")
                    connection.send_headers(stream, [("grpc-status", "0"), ("grpc-message", "")], end_stream=True)
                    with open(record, "a") as handle:
                        handle.write(json.dumps({"connection": number, "stream": stream, "bytes": bodies.get(stream, 0),
                                                 "grpc_encoding": encodings.get(stream),
                                                 "compressed_flag": first_bytes.get(stream)}) + "\n")
            pump(connection, flooding, record)
            pending = connection.data_to_send()
            if pending:
                client.sendall(pending)
    except (ConnectionError, OSError):
        return
    finally:
        client.close()


def main():
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--mode", default="ok")
    parser.add_argument("--record", required=True)
    parser.add_argument("--flood-bytes", type=int, default=24 << 20)
    arguments = parser.parse_args()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", arguments.port))
    listener.listen(16)
    print(f"READY {listener.getsockname()[1]}", flush=True)
    number = 0
    while True:
        client, _ = listener.accept()
        number += 1
        threading.Thread(target=serve, args=(client, number, arguments.mode, arguments.record, arguments.flood_bytes), daemon=True).start()


if __name__ == "__main__":
    main()
