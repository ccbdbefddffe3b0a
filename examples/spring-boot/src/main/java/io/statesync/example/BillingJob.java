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

import io.statesync.recipes.leader.Leadership;
import io.statesync.spring.boot.LeaderOnly;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/** A job that must run on one instance only: the leader of the "billing" election. */
@Component
public class BillingJob {
    private static final Logger LOG = LoggerFactory.getLogger(BillingJob.class);

    private final AtomicInteger runs = new AtomicInteger();
    private final AtomicLong lastEpoch = new AtomicLong(-1);

    @Scheduled(cron = "${example.billing.cron}")
    @LeaderOnly("billing")
    void closePeriod(Leadership leadership) {
        // The epoch is the fencing token: pass it with every write the job makes, so a store can
        // refuse a write from a leader that has since been replaced.
        LOG.info("closing the billing period as leader, epoch {}", leadership.epoch());
        lastEpoch.set(leadership.epoch());
        runs.incrementAndGet();
    }

    /**
     * How many times the job ran on this instance.
     *
     * @return the count
     */
    public int runs() {
        return runs.get();
    }

    /**
     * The epoch of the last run on this instance.
     *
     * @return the epoch, -1 before the first run
     */
    public long lastEpoch() {
        return lastEpoch.get();
    }
}
