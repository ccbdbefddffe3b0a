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
package io.statesync.spring.boot.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.statesync.core.Coordinator;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.config.DestructionAwareBeanPostProcessor;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext.HierarchyMode;
import org.springframework.test.context.TestContext;
import org.springframework.test.context.TestContextManager;

/**
 * {@link EmbeddedZooKeeper} through the TestContext framework itself (its context cache, its
 * customizers), on test classes loaded here one by one, with the statesync starter.
 */
class EmbeddedZooKeeperContextTest {
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {}

    @SpringBootTest(classes = App.class, webEnvironment = WebEnvironment.NONE)
    @EmbeddedZooKeeper
    static class FirstTests {}

    /** The same configuration as {@link FirstTests}: the same cached context. */
    @SpringBootTest(classes = App.class, webEnvironment = WebEnvironment.NONE)
    @EmbeddedZooKeeper
    static class SameConfigurationTests {}

    /** Another configuration: another context. */
    @SpringBootTest(classes = App.class, webEnvironment = WebEnvironment.NONE, properties = "other=true")
    @EmbeddedZooKeeper
    static class OtherConfigurationTests {}

    /** The properties a test class sets itself are overridden: the context's server wins. */
    @SpringBootTest(
            classes = App.class,
            webEnvironment = WebEnvironment.NONE,
            properties = {"statesync.connect-string=127.0.0.1:1", "statesync.namespace=mine"})
    @EmbeddedZooKeeper
    static class OwnPropertiesTests {}

    /** Records, when the coordinator bean is destroyed, whether the server bean still stands. */
    static class DestructionProbe implements DestructionAwareBeanPostProcessor {
        static final List<String> SEEN = new CopyOnWriteArrayList<>();
        private final ConfigurableListableBeanFactory beanFactory;

        DestructionProbe(ConfigurableListableBeanFactory beanFactory) {
            this.beanFactory = beanFactory;
        }

        @Override
        public void postProcessBeforeDestruction(Object bean, String beanName) {
            if (bean instanceof Coordinator coordinator) {
                SEEN.add("coordinator closing, server bean registered: "
                        + beanFactory.containsSingleton(EmbeddedZooKeeperServer.BEAN_NAME)
                        + ", server answers: " + answers(coordinator));
            }
        }

        private static boolean answers(Coordinator coordinator) {
            try {
                ZooKeeper zk =
                        coordinator.curatorFramework().getZookeeperClient().getZooKeeper();
                return zk.exists("/", false) != null;
            } catch (Exception e) {
                return false;
            }
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(DestructionProbe.class)
    static class ProbedApp {}

    @SpringBootTest(classes = ProbedApp.class, webEnvironment = WebEnvironment.NONE)
    @EmbeddedZooKeeper
    static class ClosedTests {}

    private static TestContext testContext(Class<?> testClass) {
        return new TestContextManager(testClass).getTestContext();
    }

    @Test
    @Timeout(120)
    void aContextConnectsToItsOwnServerInItsNamespace() throws Exception {
        ApplicationContext context = testContext(FirstTests.class).getApplicationContext();
        EmbeddedZooKeeperServer server = context.getBean(EmbeddedZooKeeperServer.class);
        Coordinator coordinator = context.getBean(Coordinator.class);

        coordinator.awaitConnected(Duration.ofSeconds(30));
        assertThat(coordinator.connectString()).isEqualTo(server.connectString());
        assertThat(coordinator.namespace()).isEqualTo(server.namespace()).startsWith("test-FirstTests-");
        assertThat(context.getEnvironment().getProperty("statesync.connect-string"))
                .isEqualTo(server.connectString());
        // A write through the coordinator lands on this server, under the namespace.
        coordinator.curatorFramework().create().forPath("/written", new byte[] {1});
        try (ZooKeeperClient client = new ZooKeeperClient(server.connectString())) {
            assertThat(client.zk().exists("/" + server.namespace() + "/written", false))
                    .isNotNull();
        }
    }

    @Test
    @Timeout(120)
    void twoConfigurationsGetTwoContextsWithTheirOwnServerAndNamespace() throws Exception {
        ApplicationContext first = testContext(FirstTests.class).getApplicationContext();
        ApplicationContext other = testContext(OtherConfigurationTests.class).getApplicationContext();

        assertThat(other).isNotSameAs(first);
        EmbeddedZooKeeperServer a = first.getBean(EmbeddedZooKeeperServer.class);
        EmbeddedZooKeeperServer b = other.getBean(EmbeddedZooKeeperServer.class);
        assertThat(b.namespace()).isNotEqualTo(a.namespace()).startsWith("test-OtherConfigurationTests-");
        assertThat(b.connectString()).isNotEqualTo(a.connectString());
        other.getBean(Coordinator.class).awaitConnected(Duration.ofSeconds(30));
        assertThat(other.getBean(Coordinator.class).namespace()).isEqualTo(b.namespace());
    }

    @Test
    @Timeout(120)
    void theContextsServerAndNamespaceWinOverTheTestsOwnProperties() throws Exception {
        ApplicationContext context = testContext(OwnPropertiesTests.class).getApplicationContext();
        EmbeddedZooKeeperServer server = context.getBean(EmbeddedZooKeeperServer.class);
        Coordinator coordinator = context.getBean(Coordinator.class);

        assertThat(coordinator.connectString()).isEqualTo(server.connectString());
        assertThat(coordinator.namespace()).isEqualTo(server.namespace());
        coordinator.awaitConnected(Duration.ofSeconds(30));
    }

    @Test
    @Timeout(120)
    void aCachedContextIsReusedByASecondTestClassAndStillWorksAfterAPause() throws Exception {
        ConfigurableApplicationContext first =
                (ConfigurableApplicationContext) testContext(FirstTests.class).getApplicationContext();
        first.getBean(Coordinator.class).curatorFramework().create().forPath("/reused", new byte[0]);
        // What the context cache does to an inactive context when another is used (pause mode
        // ON_CONTEXT_SWITCH, the default): its lifecycle stops; it restarts when used again.
        first.pause();
        first.restart();

        ApplicationContext second = testContext(SameConfigurationTests.class).getApplicationContext();

        assertThat(second).isSameAs(first);
        Coordinator coordinator = second.getBean(Coordinator.class);
        coordinator.awaitConnected(Duration.ofSeconds(30));
        assertThat(coordinator.curatorFramework().checkExists().forPath("/reused"))
                .isNotNull();
    }

    @Test
    @Timeout(120)
    void closingTheContextClosesTheCoordinatorBeforeTheServerAndLeavesNoThreadAndNoWarning() throws Exception {
        Set<Long> before = Threads.zooKeeperThreads();
        TestContext testContext = testContext(ClosedTests.class);
        ApplicationContext context = testContext.getApplicationContext();
        EmbeddedZooKeeperServer server = context.getBean(EmbeddedZooKeeperServer.class);
        Coordinator coordinator = context.getBean(Coordinator.class);
        coordinator.awaitConnected(Duration.ofSeconds(30));
        int port = server.testingServer().getPort();

        ListAppender<ILoggingEvent> log = new ListAppender<>();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        log.start();
        root.addAppender(log);
        try {
            // What @DirtiesContext does: the cache closes the context and forgets it.
            testContext.markApplicationContextDirty(HierarchyMode.EXHAUSTIVE);
        } finally {
            root.detachAppender(log);
        }

        assertThat(DestructionProbe.SEEN)
                .containsExactly("coordinator closing, server bean registered: true, server answers: true");
        assertThat(coordinator.isConnected()).isFalse();
        assertThat(reachable(port)).as("the server is closed").isFalse();
        assertThat(log.list.stream()
                        .filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                        .map(e -> e.getLoggerName() + ": " + e.getFormattedMessage())
                        .collect(Collectors.toList()))
                .isEmpty();
        // The server's session tracker ends asynchronously after its interrupt.
        await().atMost(30, TimeUnit.SECONDS)
                .untilAsserted(
                        () -> assertThat(Threads.newZooKeeperThreads(before)).isEmpty());
    }

    private static boolean reachable(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A plain ZooKeeper client, to look at the server from outside the context. */
    record ZooKeeperClient(ZooKeeper zk) implements AutoCloseable {
        ZooKeeperClient(String connectString) throws IOException {
            this(new ZooKeeper(connectString, 10_000, event -> {}));
        }

        @Override
        public void close() throws InterruptedException {
            zk.close();
        }
    }
}
