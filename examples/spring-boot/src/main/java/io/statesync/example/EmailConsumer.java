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

import io.statesync.example.Recipes.Email;
import io.statesync.recipes.queue.Claim;
import io.statesync.recipes.queue.WorkQueue;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Consumes the shared e-mail queue on every instance: each item is claimed by one instance, acked
 * when sent, and delivered again (to any instance) if its claimer fails or dies before the ack.
 */
@Component
public class EmailConsumer {
    private static final Logger LOG = LoggerFactory.getLogger(EmailConsumer.class);

    private final WorkQueue<Email> queue;
    private final List<Email> sent = new CopyOnWriteArrayList<>();

    EmailConsumer(WorkQueue<Email> emails) {
        this.queue = emails;
    }

    /**
     * Queues an e-mail for whichever instance takes it first.
     *
     * @param email the e-mail
     * @throws InterruptedException if interrupted while writing
     */
    public void enqueue(Email email) throws InterruptedException {
        queue.offer(email);
    }

    @Scheduled(fixedDelay = 100)
    void drain() throws InterruptedException {
        while (true) {
            Optional<Claim<Email>> claim = queue.take(Duration.ofMillis(500));
            if (claim.isEmpty()) {
                return;
            }
            try (Claim<Email> c = claim.get()) { // closing without an ack hands the item back
                send(c.value());
                c.ack();
            }
        }
    }

    private void send(Email email) {
        LOG.info("sending '{}' to {}", email.subject(), email.to());
        sent.add(email);
    }

    /**
     * The e-mails this instance sent.
     *
     * @return them, in order
     */
    public List<Email> sent() {
        return List.copyOf(sent);
    }
}
