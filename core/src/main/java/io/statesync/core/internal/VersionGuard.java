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
package io.statesync.core.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.curator.framework.CuratorFramework;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the ZooKeeper and Curator versions actually on the class path against the ones statesync
 * is tested with, when a {@code Coordinator} starts.
 *
 * <p>A build can end up with other versions than the ones statesync names: another BOM imported
 * first (Spring Cloud's moves Curator), a direct dependency, a shaded jar. A known-bad version is
 * refused with an error that names the fix; any other untested version is logged once per class
 * loader as a warning and allowed.
 *
 * <p>Known bad: ZooKeeper 3.9.3 (the version Curator 5.9.0 names), which has a data-loss bug.
 *
 * <p>Thread-safe.
 */
public final class VersionGuard {
    /** The ZooKeeper version statesync is built and tested with. */
    public static final String TESTED_ZOOKEEPER = "3.9.5";

    /** The Curator version statesync is built and tested with. */
    public static final String TESTED_CURATOR = "5.9.0";

    /** ZooKeeper versions refused at start. */
    static final List<String> REFUSED_ZOOKEEPER = List.of("3.9.3");

    private static final Logger LOG = LoggerFactory.getLogger(VersionGuard.class);
    private static final Pattern NUMERIC_PREFIX = Pattern.compile("^\\s*(\\d+(?:\\.\\d+)*)");
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    private VersionGuard() {}

    /** The outcome of a check: an error that refuses the start, or warnings, or neither. */
    static final class Verdict {
        private final @Nullable String refusal;
        private final List<String> warnings;

        Verdict(@Nullable String refusal, List<String> warnings) {
            this.refusal = refusal;
            this.warnings = List.copyOf(warnings);
        }

        /** The error message if the versions are refused, else {@code null}. */
        @Nullable
        String refusal() {
            return refusal;
        }

        /** One line per untested or unknown version; empty when all are tested. */
        List<String> warnings() {
            return warnings;
        }
    }

    /**
     * Checks the versions on the class path: refuses a known-bad one, logs an untested one once.
     *
     * @throws IllegalStateException if a known-bad version is on the class path (ZooKeeper 3.9.3);
     *     the message names the version found and the fix
     */
    public static void verifyClassPath() {
        enforce(check(zooKeeperVersionOnClassPath(), curatorVersionOnClassPath()), WARNED, LOG::warn);
    }

    /**
     * Acts on a verdict: throws its refusal, or logs its warnings if {@code warned} was not yet set.
     *
     * @throws IllegalStateException with the refusal's message if the verdict refuses
     */
    static void enforce(Verdict verdict, AtomicBoolean warned, Consumer<String> warn) {
        String refusal = verdict.refusal();
        if (refusal != null) {
            throw new IllegalStateException(refusal);
        }
        if (!verdict.warnings().isEmpty() && warned.compareAndSet(false, true)) {
            warn.accept(String.join(" ", verdict.warnings()));
        }
    }

    /**
     * Judges a pair of versions, as the class path reports them ({@code null} when unknown).
     *
     * @param zooKeeper the ZooKeeper version, e.g. {@code "3.9.5"} or ZooKeeper's full version
     *     string {@code "3.9.5-<hash>, built on <date>"}; {@code null} if it could not be read
     * @param curator the Curator version, e.g. {@code "5.9.0"}; {@code null} if it could not be read
     * @return the verdict
     */
    static Verdict check(@Nullable String zooKeeper, @Nullable String curator) {
        String zk = numeric(zooKeeper);
        String cu = numeric(curator);
        List<String> warnings = new ArrayList<>();
        if (zk != null && REFUSED_ZOOKEEPER.contains(zk)) {
            return new Verdict(
                    "ZooKeeper " + zk + " is on the class path; statesync refuses it: it has a known data-loss bug."
                            + " Fix: pin org.apache.zookeeper:zookeeper to " + TESTED_ZOOKEEPER
                            + " (import io.statesync:statesync-bom before any other BOM in <dependencyManagement>,"
                            + " or declare zookeeper " + TESTED_ZOOKEEPER + " in your own <dependencyManagement>).",
                    warnings);
        }
        if (zk == null) {
            warnings.add("Could not read the ZooKeeper version on the class path; statesync is tested with "
                    + TESTED_ZOOKEEPER + ".");
        } else if (!zk.equals(TESTED_ZOOKEEPER)) {
            warnings.add("ZooKeeper " + zk + " is on the class path; statesync is tested with " + TESTED_ZOOKEEPER
                    + " (untested: import io.statesync:statesync-bom first to get the tested version).");
        }
        if (cu == null) {
            warnings.add("Could not read the Curator version on the class path; statesync is tested with "
                    + TESTED_CURATOR + ".");
        } else if (!cu.equals(TESTED_CURATOR)) {
            warnings.add("Curator " + cu + " is on the class path; statesync is tested with " + TESTED_CURATOR
                    + " (untested: import io.statesync:statesync-bom first to get the tested version).");
        }
        return new Verdict(null, warnings);
    }

    /**
     * The leading dotted-number part of a version string: {@code "3.9.5"} of {@code "3.9.5-abc, built
     * on ..."}.
     */
    static @Nullable String numeric(@Nullable String version) {
        if (version == null) {
            return null;
        }
        Matcher m = NUMERIC_PREFIX.matcher(version);
        return m.find() ? m.group(1) : null;
    }

    /** ZooKeeper's own report of its version (kept in shaded jars too), else its Maven metadata. */
    static @Nullable String zooKeeperVersionOnClassPath() {
        try {
            return org.apache.zookeeper.Version.getFullVersion();
        } catch (LinkageError e) {
            return mavenVersion(org.apache.zookeeper.ZooKeeper.class, "org.apache.zookeeper", "zookeeper");
        }
    }

    /** Curator's jar metadata: its Maven properties (kept in shaded jars), else its manifest. */
    static @Nullable String curatorVersionOnClassPath() {
        String version = mavenVersion(CuratorFramework.class, "org.apache.curator", "curator-framework");
        if (version != null) {
            return version;
        }
        Package p = CuratorFramework.class.getPackage();
        return p == null ? null : p.getImplementationVersion();
    }

    private static @Nullable String mavenVersion(Class<?> anchor, String groupId, String artifactId) {
        String resource = "/META-INF/maven/" + groupId + "/" + artifactId + "/pom.properties";
        try (InputStream in = anchor.getResourceAsStream(resource)) {
            if (in == null) {
                return null;
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException | IllegalArgumentException e) {
            LOG.debug("Could not read {}", resource, e);
            return null;
        }
    }
}
