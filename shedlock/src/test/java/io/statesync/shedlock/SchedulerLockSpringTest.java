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
package io.statesync.shedlock;

import static org.assertj.core.api.Assertions.assertThat;

import io.statesync.core.Coordinator;
import io.statesync.core.testing.TestNodes;
import io.statesync.testkit.ZooKeeperExtension;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import net.javacrumbs.shedlock.core.LockProvider;
import net.javacrumbs.shedlock.spring.annotation.EnableSchedulerLock;
import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * ShedLock's own {@code @SchedulerLock} machinery (shedlock-spring) with the provider as the one
 * changed bean: two application contexts, one per node, each calling the locked method.
 */
@Timeout(60)
class SchedulerLockSpringTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private TestNodes nodes;
    private ExecutorService background;

    @BeforeEach
    void setUp() {
        nodes = new TestNodes(zk);
        background = nodes.background();
    }

    @AfterEach
    void tearDown() throws Exception {
        nodes.close(); // stops the background work first, then closes the nodes
    }

    /** What an application on ShedLock already has: a locked method, and the provider bean. */
    @Configuration
    @EnableSchedulerLock(defaultLockAtMostFor = "PT10M")
    static class JobConfig {
        // The one bean that changes: it was a JdbcTemplateLockProvider, a ZookeeperCuratorLockProvider...
        @Bean
        LockProvider lockProvider(Coordinator coordinator) {
            return StateSyncLockProvider.builder(coordinator).build();
        }

        @Bean
        ReportJob reportJob() {
            return new ReportJob();
        }
    }

    /** Proxied by ShedLock (a subclass): its state is read through methods, not fields. */
    static class ReportJob {
        private final List<Long> tokens = new CopyOnWriteArrayList<>();
        private final CountDownLatch entered = new CountDownLatch(1);
        private volatile CountDownLatch release = new CountDownLatch(0);

        @SchedulerLock(name = "report")
        public void run() throws InterruptedException {
            tokens.add(StateSyncLockProvider.currentFencingToken());
            entered.countDown();
            assertThat(release.await(30, TimeUnit.SECONDS)).isTrue();
        }

        public List<Long> tokens() {
            return tokens;
        }

        public boolean awaitEntered() throws InterruptedException {
            return entered.await(30, TimeUnit.SECONDS);
        }

        public void holdNextRun() {
            release = new CountDownLatch(1);
        }

        public void endRun() {
            release.countDown();
        }
    }

    private AnnotationConfigApplicationContext context(Coordinator coordinator) {
        AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
        context.registerBean(Coordinator.class, () -> coordinator, bd -> bd.setDestroyMethodName(""));
        context.register(JobConfig.class);
        context.refresh();
        return nodes.closeLater(context);
    }

    @Test
    void onlyOneNodeRunsTheLockedMethodAndItReadsItsFencingToken() throws Exception {
        Coordinator a = nodes.connect();
        Coordinator b = nodes.connect();
        ReportJob onA = context(a).getBean(ReportJob.class);
        ReportJob onB = context(b).getBean(ReportJob.class);
        assertThat(onA.getClass()).isNotEqualTo(ReportJob.class); // proxied by ShedLock

        onA.holdNextRun();
        Future<?> running = background.submit(() -> {
            onA.run();
            return null;
        });
        assertThat(onA.awaitEntered()).isTrue();

        onB.run(); // skipped: A holds the lock
        assertThat(onB.tokens()).isEmpty();

        onA.endRun();
        running.get(30, TimeUnit.SECONDS);
        onB.run(); // A's lock is released when its method returns (no lockAtLeastFor)
        assertThat(onA.tokens()).hasSize(1);
        assertThat(onB.tokens()).hasSize(1);
        assertThat(onB.tokens().get(0)).isGreaterThan(onA.tokens().get(0));
    }

    @Test
    void whenTheRunningNodeDiesTheOtherRunsAtOnceNotAfterLockAtMostFor() throws Exception {
        Coordinator a = nodes.connect();
        Coordinator b = nodes.connect();
        ReportJob onA = context(a).getBean(ReportJob.class);
        ReportJob onB = context(b).getBean(ReportJob.class);

        onA.holdNextRun();
        Future<?> running = background.submit(() -> {
            onA.run();
            return null;
        });
        assertThat(onA.awaitEntered()).isTrue();
        nodes.expire(a); // A's session ends as if its process had died; lockAtMostFor is 10 minutes

        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(20))
                .until(() -> {
                    onB.run();
                    return !onB.tokens().isEmpty();
                });
        assertThat(onB.tokens().get(0)).isGreaterThan(onA.tokens().get(0));
        onA.endRun();
        running.get(30, TimeUnit.SECONDS);
    }
}
