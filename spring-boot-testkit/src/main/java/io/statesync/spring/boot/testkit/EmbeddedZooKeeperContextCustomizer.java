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

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.DefaultSingletonBeanRegistry;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.MergedContextConfiguration;

/**
 * Gives one application context its server, its properties and its namespace (see {@link
 * EmbeddedZooKeeper}). All instances are equal: the context cache key records only that the
 * annotation is there, so test classes with the same configuration share a context.
 */
final class EmbeddedZooKeeperContextCustomizer implements ContextCustomizer {
    /** The name of the property source holding {@code statesync.connect-string} and {@code statesync.namespace}. */
    static final String PROPERTY_SOURCE_NAME = "statesyncEmbeddedZooKeeper";

    private static final AtomicInteger CONTEXTS = new AtomicInteger();

    @Override
    public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration config) {
        // One segment below the root, unique in the JVM, named after the test class for debugging.
        String namespace = "test-" + config.getTestClass().getSimpleName().replaceAll("[^A-Za-z0-9_-]", "_") + "-"
                + CONTEXTS.incrementAndGet();
        EmbeddedZooKeeperServer server = EmbeddedZooKeeperServer.create(namespace);
        ConfigurableListableBeanFactory beanFactory = context.getBeanFactory();
        beanFactory.registerSingleton(EmbeddedZooKeeperServer.BEAN_NAME, server);
        // The first disposable bean of the context: Spring destroys disposable beans in the reverse
        // of their registration, so the server closes after everything that connects to it.
        if (!(beanFactory instanceof DefaultSingletonBeanRegistry registry)) {
            throw new IllegalStateException("@EmbeddedZooKeeper needs a context whose bean factory registers disposable"
                    + " beans (a DefaultListableBeanFactory), not "
                    + beanFactory.getClass().getName());
        }
        registry.registerDisposableBean(EmbeddedZooKeeperServer.BEAN_NAME, server);
        // Started when the context refreshes: a context that fails on refresh destroys its beans, the
        // server with them; one that fails before has started nothing.
        context.addBeanFactoryPostProcessor(factory -> server.start());
        context.getEnvironment()
                .getPropertySources()
                .addFirst(new MapPropertySource(
                        PROPERTY_SOURCE_NAME,
                        Map.of("statesync.connect-string", server.connectString(), "statesync.namespace", namespace)));
    }

    @Override
    public boolean equals(@Nullable Object other) {
        return other != null && other.getClass() == getClass();
    }

    @Override
    public int hashCode() {
        return getClass().hashCode();
    }
}
