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
package io.statesync.core;

import org.jspecify.annotations.Nullable;

/** The coordinator's credentials do not permit reading or changing the node (ZooKeeper's NOAUTH or AUTHFAILED). */
public class AccessDeniedException extends StateSyncException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param path the path concerned, relative to the namespace, or {@code null}
     * @param message what happened
     * @param cause the underlying error, or {@code null}
     */
    public AccessDeniedException(@Nullable String path, String message, @Nullable Throwable cause) {
        super(Reason.ACCESS_DENIED, path, message, cause);
    }
}
