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
package io.statesync.example;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * A small service on the statesync starter. Every instance applies the same feature flags, one
 * instance at a time runs the billing job, a fenced lock guards the ledger, and every instance
 * consumes the shared e-mail queue. Point it at ZooKeeper with {@code statesync.connect-string}.
 */
@SpringBootApplication
@EnableScheduling
public class ExampleApplication {
    /**
     * Runs the service.
     *
     * @param args Spring Boot's arguments, e.g. {@code --statesync.connect-string=zk1:2181}
     */
    public static void main(String[] args) {
        SpringApplication.run(ExampleApplication.class, args);
    }
}
