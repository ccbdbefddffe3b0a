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
package io.statesync.cli;

/** A failure the command reports as one line on standard error, with its exit code. */
final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Exit code: the command failed otherwise (a ZooKeeper error, a bad value). */
    static final int FAILED = 1;
    /** Exit code: the server did not answer within the connection timeout. */
    static final int UNREACHABLE = 3;
    /** Exit code: the path does not exist. */
    static final int NO_SUCH_PATH = 4;
    /** Exit code: the path exists but holds no recipe this command recognises. */
    static final int NO_RECIPE = 5;
    /** Exit code: a repair was not confirmed, so nothing was changed. */
    static final int NOT_CONFIRMED = 6;

    private final int exitCode;

    CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
