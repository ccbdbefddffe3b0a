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
package io.statesync.core;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.framework.imps.DefaultACLProvider;
import org.apache.curator.framework.state.SessionConnectionStateErrorPolicy;
import org.apache.curator.framework.state.StandardConnectionStateErrorPolicy;
import org.apache.curator.retry.BoundedExponentialBackoffRetry;
import org.apache.curator.retry.RetryNTimes;
import org.apache.curator.utils.ZookeeperFactory;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.data.ACL;

/** How a {@link Coordinator}'s settings become its Curator client and its threads. */
final class CuratorClients {
    private CuratorClients() {}

    /**
     * The Curator client of a coordinator built by {@code b}, not started.
     *
     * @param b the builder's settings, validated
     * @param connectionTimeout the connection timeout in effect
     * @param threadFactory the thread factory in effect
     * @param handles what makes the client's ZooKeeper handles
     */
    static CuratorFramework build(
            CoordinatorSettings b, Duration connectionTimeout, ThreadFactory threadFactory, ZookeeperFactory handles) {
        CuratorFrameworkFactory.Builder cb = CuratorFrameworkFactory.builder()
                .zookeeperFactory(handles)
                .connectString(b.connectString)
                .sessionTimeoutMs(Math.toIntExact(b.sessionTimeout.toMillis()))
                .connectionTimeoutMs(Math.toIntExact(connectionTimeout.toMillis()))
                .retryPolicy(toCurator(b.retry))
                .threadFactory(daemonThreads(threadFactory, "statesync-curator"))
                .connectionStateErrorPolicy(
                        b.lossPolicy == ConnectionLossPolicy.ON_SUSPENDED
                                ? new StandardConnectionStateErrorPolicy()
                                : new SessionConnectionStateErrorPolicy())
                .aclProvider(b.aclMode == AclMode.CREATOR_ONLY ? new CreatorOnlyAcl() : new DefaultACLProvider());
        if (!b.namespace.isEmpty()) {
            cb.namespace(b.namespace);
        }
        String user = b.digestUser;
        String password = b.digestPassword;
        if (user != null && password != null) {
            cb.authorization("digest", (user + ":" + password).getBytes(StandardCharsets.UTF_8));
        }
        ZKClientConfig clientConfig = new ZKClientConfig();
        TlsSettings tls = b.tls;
        if (tls != null) {
            tls.applyTo(clientConfig);
        }
        cb.zkClientConfig(clientConfig);
        return cb.build();
    }

    private static org.apache.curator.RetryPolicy toCurator(Retry retry) {
        if (retry.maxRetries() == 0) {
            return new RetryNTimes(0, 0);
        }
        return new BoundedExponentialBackoffRetry(
                Math.toIntExact(retry.baseSleep().toMillis()),
                Math.toIntExact(retry.maxSleep().toMillis()),
                retry.maxRetries());
    }

    /** The listener pool a coordinator owns when given no listener executor: cached daemon threads. */
    static ExecutorService listenerPool(ThreadFactory threadFactory) {
        return Executors.newCachedThreadPool(daemonThreads(threadFactory, "statesync-listener"));
    }

    /** Threads of {@code factory}, named {@code prefix-n} and made daemons. */
    static ThreadFactory daemonThreads(ThreadFactory factory, String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread t = factory.newThread(runnable);
            t.setName(prefix + "-" + counter.incrementAndGet());
            if (!t.isDaemon()) {
                t.setDaemon(true);
            }
            return t;
        };
    }

    private static final class CreatorOnlyAcl implements ACLProvider {
        @Override
        public List<ACL> getDefaultAcl() {
            return ZooDefs.Ids.CREATOR_ALL_ACL;
        }

        @Override
        public List<ACL> getAclForPath(String path) {
            return ZooDefs.Ids.CREATOR_ALL_ACL;
        }
    }
}
