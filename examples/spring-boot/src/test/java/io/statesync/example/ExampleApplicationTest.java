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

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.statesync.example.Recipes.Email;
import io.statesync.spring.boot.testkit.EmbeddedZooKeeper;
import io.statesync.spring.boot.testkit.EmbeddedZooKeeperServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two instances of the service on one ZooKeeper: this test's context (instance A, with
 * {@code @EmbeddedZooKeeper}) and a second one started beside it (instance B) on the same server
 * and namespace.
 */
@SpringBootTest(properties = "example.billing.cron=* * * * * *")
@EmbeddedZooKeeper
class ExampleApplicationTest {
    static ConfigurableApplicationContext b;

    @Autowired
    FeatureFlags flags;

    @Autowired
    BillingJob billing;

    @Autowired
    Ledger ledger;

    @Autowired
    EmailConsumer emails;

    @BeforeAll
    static void startInstanceB(@Autowired EmbeddedZooKeeperServer zooKeeper) {
        // Arguments, not .properties(...): those are defaults, below application.properties.
        b = new SpringApplicationBuilder(ExampleApplication.class)
                .run(
                        "--statesync.connect-string=" + zooKeeper.connectString(),
                        "--statesync.namespace=" + zooKeeper.namespace(),
                        "--example.billing.cron=* * * * * *");
    }

    @AfterAll
    static void stopInstanceB() {
        b.close();
    }

    @Test
    @Timeout(120)
    void theLeaderOnlyJobRunsOnOneInstanceOnly() {
        // A was ready first, so it leads; B runs nothing while A lives.
        await().atMost(60, TimeUnit.SECONDS).until(() -> billing.runs() >= 3);
        assertThat(b.getBean(BillingJob.class).runs()).isZero();
        assertThat(billing.lastEpoch()).isPositive();
    }

    @Test
    @Timeout(120)
    void aFlagChangeReachesBothInstances() throws Exception {
        FeatureFlags flagsOfB = b.getBean(FeatureFlags.class);
        flags.setNewCheckout(true);
        await().atMost(30, TimeUnit.SECONDS).untilAsserted(() -> {
            assertThat(flags.current().newCheckout()).isTrue();
            assertThat(flagsOfB.current().newCheckout()).isTrue();
        });
        flagsOfB.setNewCheckout(false);
        await().atMost(30, TimeUnit.SECONDS).untilAsserted(() -> {
            assertThat(flags.current().newCheckout()).isFalse();
            assertThat(flagsOfB.current().newCheckout()).isFalse();
        });
    }

    @Test
    @Timeout(120)
    void eachQueuedEmailIsSentOnceByOneOfTheInstances() throws Exception {
        List<Email> queued = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Email email = new Email("user" + i + "@example.com", "welcome " + i);
            queued.add(email);
            (i % 2 == 0 ? emails : b.getBean(EmailConsumer.class)).enqueue(email);
        }
        await().atMost(60, TimeUnit.SECONDS).untilAsserted(() -> {
            List<Email> sent = new ArrayList<>(emails.sent());
            sent.addAll(b.getBean(EmailConsumer.class).sent());
            assertThat(sent).containsExactlyInAnyOrderElementsOf(queued);
        });
    }

    @Test
    @Timeout(120)
    void theLedgerLockHandsOutIncreasingFencingTokens() throws Exception {
        long first = ledger.append("opening balance");
        long second = b.getBean(Ledger.class).append("first payment");
        long third = ledger.append("second payment");

        assertThat(second).isGreaterThan(first);
        assertThat(third).isGreaterThan(second);
        assertThat(ledger.entries()).containsExactly(first + ": opening balance", third + ": second payment");
    }
}
