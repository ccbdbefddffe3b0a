/*
 * Copyright 2026 The statesync developers
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     https://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
package io.statesync.core.internal;

import io.statesync.core.Coordinator;
import io.statesync.core.ValueTooLargeException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.jute.BinaryOutputArchive;
import org.apache.jute.Record;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.MultiOperationRecord;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.common.ZKConfig;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.proto.CreateRequest;
import org.apache.zookeeper.proto.CreateTTLRequest;
import org.apache.zookeeper.proto.SetDataRequest;

/**
 * Measures a write request, and the reply it will get, exactly as ZooKeeper 3.9 serialises them
 * (jute's binary encoding), before anything is sent, and refuses one that ZooKeeper would answer by
 * dropping the connection.
 *
 * <p><b>Where ZooKeeper refuses.</b> Every request travels as a 4-byte length and then the packet:
 * the request header (xid and type, 8 bytes) and the request record. A server reads the length
 * first and, if it is over its {@code jute.maxbuffer} (default {@value #DEFAULT_JUTE_MAXBUFFER}
 * bytes), closes the connection ({@code NIOServerCnxn.readLength}, {@code NettyServerCnxn}): the
 * request is not executed, and the client's every recipe sees SUSPENDED. The client does the same
 * with a reply over its own {@code jute.maxbuffer} ({@code ClientCnxnSocket.readLength}), but only
 * after the server executed the request. Nothing else on the way limits a request that passes the
 * server's check: the leader reads a forwarded request and followers read a proposal with room for
 * twice {@code jute.maxbuffer} ({@code zookeeper.jute.maxbuffer.extrasize}).
 *
 * <p><b>What is counted.</b> The packet after the length: the request header, the record with
 * every path as the server sees it (the connect string's chroot, the namespace and the path, in
 * UTF-8), the data, the ACL list of a create and the flags; for a {@code multi}, a 9-byte header
 * per operation and a closing one. The reply: its header (16 bytes) and record; for a create, the
 * created path (with 11 bytes of sequence suffix for a sequential node: ten digits, or a sign and
 * ten digits after the parent's counter wrapped) and a 68-byte stat where the operation returns
 * one. For a {@code multi} the larger of the reply when every operation succeeds and the reply when
 * it fails (a 13-byte error result per operation).
 *
 * <p><b>The limit.</b> The client's {@code jute.maxbuffer} (the JVM property ZooKeeper's client
 * reads, default 1,048,575 bytes), for both the request and the reply: the server's value cannot be
 * read from the client, so the servers and clients must be configured alike (as ZooKeeper's own
 * documentation requires).
 */
public final class RequestSize {
    /** ZooKeeper's default {@code jute.maxbuffer}, on servers and clients: 0xfffff bytes. */
    public static final int DEFAULT_JUTE_MAXBUFFER = 0xfffff;

    /** The request header before every request record: xid and type. */
    static final int REQUEST_HEADER = 8;
    /** The reply header before every reply record: xid, zxid and error code. */
    static final int REPLY_HEADER = 16;
    /** One {@code MultiHeader}: type, done flag, error code. */
    static final int MULTI_HEADER = 9;
    /** A serialised {@code Stat}. */
    static final int STAT = 68;
    /** The most a sequential create adds to its path: {@code %010d} of a 32-bit counter. */
    static final int SEQUENCE_SUFFIX = 11;

    private RequestSize() {}

    /**
     * The limit a request packet and a reply packet must keep to: this client's {@code
     * jute.maxbuffer}.
     *
     * @return bytes
     */
    public static int limit() {
        return new ZKClientConfig().getInt(ZKConfig.JUTE_MAXBUFFER, ZKClientConfig.CLIENT_MAX_PACKET_LENGTH_DEFAULT);
    }

    /**
     * Refuses a create that ZooKeeper would drop the connection for.
     *
     * @param coordinator the connection (for its chroot, namespace and ACL)
     * @param path the path, relative to the namespace
     * @param data the data
     * @param mode the create mode
     * @throws ValueTooLargeException if the request or its reply is over {@link #limit()}
     */
    public static void checkCreate(Coordinator coordinator, String path, byte[] data, CreateMode mode) {
        String server = serverPath(coordinator, path);
        List<ACL> acl = coordinator.internalAccess().acl();
        long request = REQUEST_HEADER
                + serialized(new CreateRequest(server, data, acl, mode.toFlag()))
                + (mode.isTTL() ? 8 : 0);
        long reply = (long) REPLY_HEADER + 4 + utf8(server) + (mode.isSequential() ? SEQUENCE_SUFFIX : 0) + STAT;
        check(path, "a create of " + data.length + " bytes at " + path, request, reply);
    }

    /**
     * Refuses a set-data that ZooKeeper would drop the connection for.
     *
     * @param coordinator the connection (for its chroot and namespace)
     * @param path the path, relative to the namespace
     * @param data the data
     * @throws ValueTooLargeException if the request is over {@link #limit()}
     */
    public static void checkSetData(Coordinator coordinator, String path, byte[] data) {
        long request = REQUEST_HEADER + serialized(new SetDataRequest(serverPath(coordinator, path), data, -1));
        check(path, "a write of " + data.length + " bytes to " + path, request, REPLY_HEADER + STAT);
    }

    /**
     * Refuses a {@code multi} that ZooKeeper would drop the connection for.
     *
     * @param coordinator the connection (for its chroot)
     * @param ops the operations as they will be sent (paths with the namespace)
     * @param firstPath the path to name in the error: the first operation's, relative to the
     *     namespace
     * @throws ValueTooLargeException if the request or its reply is over {@link #limit()}
     */
    public static void checkMulti(Coordinator coordinator, List<Op> ops, String firstPath) {
        int chroot = utf8(chroot(coordinator));
        long request = REQUEST_HEADER + serialized(new MultiOperationRecord(ops)) + (long) chroot * ops.size();
        long success = MULTI_HEADER;
        for (Op op : ops) {
            success += MULTI_HEADER;
            long created = 4L + chroot + utf8(op.getPath());
            if (isSequential(op.toRequestRecord())) {
                created += SEQUENCE_SUFFIX;
            }
            switch (op.getType()) {
                case ZooDefs.OpCode.create -> success += created;
                case ZooDefs.OpCode.create2, ZooDefs.OpCode.createTTL, ZooDefs.OpCode.createContainer ->
                    success += created + STAT;
                case ZooDefs.OpCode.setData -> success += STAT;
                default -> {
                    // delete, check: the header alone
                }
            }
        }
        long failure = MULTI_HEADER + (long) (MULTI_HEADER + 4) * ops.size();
        long reply = REPLY_HEADER + Math.max(success, failure);
        check(firstPath, "a multi of " + ops.size() + " operations (the first at " + firstPath + ")", request, reply);
    }

    private static void check(String path, String what, long request, long reply) {
        int limit = limit();
        if (request > limit) {
            throw new ValueTooLargeException(
                    path,
                    clamp(request),
                    limit,
                    what + " is " + request + " bytes as ZooKeeper reads it (paths with namespace and chroot,"
                            + " data, ACLs and headers), over jute.maxbuffer of " + limit + " bytes: the server"
                            + " would drop the connection; nothing was sent");
        }
        if (reply > limit) {
            throw new ValueTooLargeException(
                    path,
                    clamp(reply),
                    limit,
                    "the reply to " + what + " would be " + reply + " bytes, over this client's jute.maxbuffer of "
                            + limit + " bytes: the client would drop the connection after the write landed;"
                            + " nothing was sent");
        }
    }

    private static boolean isSequential(Record request) {
        int flags;
        if (request instanceof CreateRequest create) {
            flags = create.getFlags();
        } else if (request instanceof CreateTTLRequest createTtl) {
            flags = createTtl.getFlags();
        } else {
            return false;
        }
        return CreateMode.fromFlag(flags, CreateMode.PERSISTENT).isSequential();
    }

    private static int clamp(long size) {
        return (int) Math.min(Integer.MAX_VALUE, size);
    }

    /**
     * The path as the server sees it: the connect string's chroot, the namespace and the path.
     *
     * @param coordinator the connection
     * @param path the path, relative to the namespace
     * @return the server's path
     */
    static String serverPath(Coordinator coordinator, String path) {
        return chroot(coordinator) + coordinator.internalAccess().fullPath(path);
    }

    private static String chroot(Coordinator coordinator) {
        String connect = coordinator.connectString();
        int slash = connect.indexOf('/');
        if (slash < 0) {
            return "";
        }
        String chroot = connect.substring(slash);
        return chroot.length() == 1 ? "" : chroot;
    }

    private static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /**
     * The size of a record in jute's binary encoding, as the client writes it to the socket.
     *
     * @param record the record
     * @return bytes
     */
    static long serialized(Record record) {
        Counter counter = new Counter();
        try {
            record.serialize(BinaryOutputArchive.getArchive(counter), "request");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot measure a ZooKeeper request", e);
        }
        return counter.count;
    }

    private static final class Counter extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
