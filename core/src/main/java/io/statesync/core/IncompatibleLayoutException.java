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

/**
 * A znode holds statesync's own data (a recipe's metadata, a packed record, a marker, a manifest)
 * in a format version newer than this release understands: a node of a later release wrote it.
 * The operation that met it stopped there and wrote nothing, so the newer data is left as it was.
 * The message names the path, the version found and the highest version this release reads.
 *
 * <p>During a rolling upgrade this means the newer release switched to its new layout before every
 * node was upgraded; finish the upgrade (see the data-layout section of the compatibility docs).
 * User values (the bytes a {@link Codec} produces) are never checked here: a codec's failure is a
 * {@link DecodingException}.
 */
public class IncompatibleLayoutException extends StateSyncException {
    private static final long serialVersionUID = 1L;

    private final int found;
    private final int supported;

    /**
     * Creates the exception.
     *
     * @param path the znode whose data is in the newer format, relative to the namespace
     * @param what what the data is, e.g. {@code "event-log meta"}
     * @param found the format version found in the data
     * @param supported the highest format version of that data this release understands
     */
    public IncompatibleLayoutException(String path, String what, int found, int supported) {
        super(
                Reason.INCOMPATIBLE_LAYOUT,
                path,
                what + " at " + path + " is in format version " + found + ", but this release of statesync understands"
                        + " format versions up to " + supported
                        + "; it was written by a newer release: upgrade this node (nothing was written)",
                null);
        this.found = found;
        this.supported = supported;
    }

    /**
     * The format version found in the data.
     *
     * @return the version found
     */
    public int found() {
        return found;
    }

    /**
     * The highest format version of that data this release understands.
     *
     * @return the highest version understood
     */
    public int supported() {
        return supported;
    }
}
