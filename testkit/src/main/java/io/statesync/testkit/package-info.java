/**
 * The statesync test kit: a JUnit 5 extension that gives each test a real ZooKeeper and a fresh
 * root path, and helpers that inject faults for real.
 */
@NullMarked
package io.statesync.testkit;

import org.jspecify.annotations.NullMarked;
