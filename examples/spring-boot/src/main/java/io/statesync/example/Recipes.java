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

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.recipes.lock.DistributedLock;
import io.statesync.recipes.queue.WorkQueue;
import io.statesync.recipes.state.SharedState;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The statesync recipes of this service, as beans. Each takes the {@link Coordinator} (so Spring
 * closes it before the coordinator); the starter starts them once the coordinator is, because
 * application.properties sets {@code statesync.start-recipes=true}.
 */
@Configuration(proxyBeanMethods = false)
class Recipes {
    @Bean
    SharedState<Flags> flags(Coordinator coordinator) {
        return SharedState.builder(coordinator, "/flags", Codec.json(Flags.class), Flags.DEFAULTS)
                .build();
    }

    @Bean
    DistributedLock ledgerLock(Coordinator coordinator) {
        return DistributedLock.builder(coordinator, "/locks/ledger").build();
    }

    @Bean
    WorkQueue<Email> emails(Coordinator coordinator) {
        return WorkQueue.builder(coordinator, "/queues/emails", Codec.json(Email.class))
                .build();
    }

    /** The feature flags every instance applies. */
    record Flags(boolean newCheckout, int maxBatch) {
        static final Flags DEFAULTS = new Flags(false, 100);
    }

    /** An item of the e-mail queue. */
    record Email(String to, String subject) {}
}
