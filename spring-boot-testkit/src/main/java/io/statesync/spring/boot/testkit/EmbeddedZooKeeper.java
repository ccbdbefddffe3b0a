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

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Gives the test's Spring application context a ZooKeeper of its own: an in-process server
 * (curator-test's {@code TestingServer}) that lives exactly as long as the context, and the
 * properties that point the statesync starter at it.
 *
 * <pre>{@code
 * @SpringBootTest
 * @EmbeddedZooKeeper
 * class BillingServiceTest {
 *     @Autowired Coordinator coordinator;   // connected to the context's server, in its namespace
 *     @Autowired EmbeddedZooKeeperServer zooKeeper;   // for faults: zooKeeper.testingServer().restart()
 * }
 * }</pre>
 *
 * <p>For each application context the test context framework creates:
 *
 * <ul>
 *   <li>a ZooKeeper server on a free loopback port, started when the context refreshes (so a
 *       context that fails before refreshing has started none), accepting session timeouts from
 *       200 ms to 60 s;
 *   <li>the properties {@code statesync.connect-string} (that server) and {@code statesync.namespace}
 *       ({@code test-<TestClass>-<n>}, unique in the JVM), in a property source that takes
 *       precedence over every other, {@code application.properties} and {@code @TestPropertySource}
 *       included;
 *   <li>the bean {@link EmbeddedZooKeeperServer} ({@value EmbeddedZooKeeperServer#BEAN_NAME}), the
 *       context's first disposable bean: Spring destroys disposable beans in the reverse of their
 *       registration, so the server closes after the coordinator and everything else the context
 *       closes, whenever the context closes — at {@code @DirtiesContext}, on eviction from the
 *       context cache, or from the JVM's shutdown hook at the end of the run.
 * </ul>
 *
 * <p><b>Context caching.</b> The annotation is part of the context cache key: test classes with the
 * same configuration and this annotation share one cached context, and so one server and one
 * namespace (their state persists from one test class to the next, as a database's would); a test
 * class without it, or with another configuration, gets another context. Use
 * {@code @DirtiesContext} for a fresh server and namespace. Spring's pausing of inactive cached
 * contexts does not stop the server.
 *
 * <p>Registered through {@code META-INF/spring.factories}, so it works on any test class the Spring
 * TestContext framework runs ({@code @SpringBootTest}, {@code @SpringJUnitConfig}, ...), including
 * {@code @Nested} classes, which inherit it from their enclosing class.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
public @interface EmbeddedZooKeeper {}
