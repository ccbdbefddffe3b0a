/**
 * Implementation support shared by statesync's modules: the listener-delivery engine, path
 * validation, error translation and guarded znode operations. Not API: anything here may change
 * in any release.
 */
@NullMarked
package io.statesync.core.internal;

import org.jspecify.annotations.NullMarked;
