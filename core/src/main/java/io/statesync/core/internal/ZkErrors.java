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

import io.statesync.core.AccessDeniedException;
import io.statesync.core.ConnectionLossException;
import io.statesync.core.SessionExpiredException;
import io.statesync.core.StateSyncException;
import io.statesync.core.VersionConflictException;
import org.apache.zookeeper.KeeperException;
import org.jspecify.annotations.Nullable;

/** The one place where ZooKeeper's errors become statesync's typed errors. */
public final class ZkErrors {
    private ZkErrors() {}

    /**
     * Translates an error from Curator or ZooKeeper. Runtime exceptions that are already statesync's
     * pass through unchanged.
     *
     * @param error the error
     * @param path the path of the operation, or {@code null}
     * @return the typed error to throw
     */
    public static StateSyncException translate(Throwable error, @Nullable String path) {
        if (error instanceof StateSyncException typed) {
            return typed;
        }
        if (error instanceof KeeperException ke) {
            String where = path != null ? path : ke.getPath();
            return translate(ke.code(), where, error);
        }
        return new StateSyncException(
                StateSyncException.Reason.OTHER, path, "ZooKeeper operation failed: " + error, error);
    }

    /**
     * Translates a ZooKeeper result code.
     *
     * @param code the code
     * @param path the path concerned, or {@code null}
     * @param cause the original error, or {@code null}
     * @return the typed error
     */
    public static StateSyncException translate(
            KeeperException.Code code, @Nullable String path, @Nullable Throwable cause) {
        String p = path == null ? "" : " on " + path;
        return switch (code) {
            case NOAUTH, AUTHFAILED, INVALIDACL ->
                new AccessDeniedException(
                        path,
                        "access denied" + p + ": the coordinator's credentials do not permit this operation",
                        cause);
            case BADVERSION -> new VersionConflictException(path, "version conflict" + p, cause);
            case SESSIONEXPIRED, SESSIONMOVED -> new SessionExpiredException(path, "session expired" + p, cause);
            case CONNECTIONLOSS, OPERATIONTIMEOUT, REQUESTTIMEOUT ->
                new ConnectionLossException(
                        path, "connection lost" + p + "; the outcome of the operation is unknown", cause);
            case NONODE -> new StateSyncException(StateSyncException.Reason.NO_NODE, path, "no node" + p, cause);
            case NODEEXISTS ->
                new StateSyncException(StateSyncException.Reason.NODE_EXISTS, path, "node exists" + p, cause);
            case NOTEMPTY ->
                new StateSyncException(StateSyncException.Reason.NOT_EMPTY, path, "node has children" + p, cause);
            default ->
                new StateSyncException(StateSyncException.Reason.OTHER, path, "ZooKeeper error " + code + p, cause);
        };
    }
}
