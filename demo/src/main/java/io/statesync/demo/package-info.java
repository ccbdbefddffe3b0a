/** The runnable statesync demo. */
@NullMarked
package io.statesync.demo;

import org.jspecify.annotations.NullMarked;
