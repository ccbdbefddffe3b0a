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
package io.statesync.demo;

import io.statesync.testkit.JvmProcess;
import java.io.IOException;
import java.util.List;

/**
 * Starts the demo as a separate JVM process ({@code java -cp <the test class path>
 * io.statesync.demo.Demo ...}), its standard output and error collected line by line.
 */
final class DemoProcess {
    private DemoProcess() {}

    static JvmProcess start(String name, String... args) throws IOException {
        return JvmProcess.start(name, Demo.class, List.of("-Xmx96m"), List.of(args));
    }
}
