/**
 * The statesync contract: the {@link io.statesync.core.Coordinator} connection, the {@link
 * io.statesync.core.StateListener} every recipe delivers through, versioned values, codecs and the
 * typed errors.
 */
@NullMarked
package io.statesync.core;

import org.jspecify.annotations.NullMarked;
