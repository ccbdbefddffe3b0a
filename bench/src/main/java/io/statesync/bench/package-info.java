/**
 * The statesync benchmark: every workload measured side by side with the raw ZooKeeper client and
 * plain Curator recipes, against one ZooKeeper server in a separate JVM process, in one run. Not
 * API.
 */
@NullMarked
package io.statesync.bench;

import org.jspecify.annotations.NullMarked;
