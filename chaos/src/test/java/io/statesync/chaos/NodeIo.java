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
package io.statesync.chaos;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** What every client process of the chaos suite shares: its stop line and its printed history. */
final class NodeIo {
    private NodeIo() {}

    /** Counted down once a line {@code finish} is typed or the input ends. */
    private static final CountDownLatch FINISH = new CountDownLatch(1);

    /**
     * Starts a daemon thread that reads standard input and sets the returned flag when a line
     * {@code stop} is typed or the input ends; it reads on, for {@link #awaitFinish}.
     *
     * @return the flag
     */
    static AtomicBoolean stopOnInput() {
        AtomicBoolean stop = new AtomicBoolean();
        Thread input = new Thread(
                () -> {
                    try (BufferedReader in =
                            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                        for (String line = in.readLine(); line != null; line = in.readLine()) {
                            if (line.equals("stop")) {
                                stop.set(true);
                            } else if (line.equals("finish")) {
                                FINISH.countDown();
                            }
                        }
                    } catch (IOException e) {
                        // the input ended
                    }
                    stop.set(true);
                    FINISH.countDown();
                },
                "input");
        input.setDaemon(true);
        input.start();
        return stop;
    }

    /**
     * Waits until a line {@code finish} is typed (or the input ends), for a second phase after
     * {@code stop}: the suite types it once every process has stopped writing.
     *
     * @param timeout how long to wait
     * @return {@code true} if it was typed, {@code false} if the timeout passed first
     * @throws InterruptedException if interrupted while waiting
     */
    static boolean awaitFinish(Duration timeout) throws InterruptedException {
        return FINISH.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Prints one line of the history and flushes it, so that the suite sees it at once.
     *
     * @param line the line
     */
    static synchronized void print(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
