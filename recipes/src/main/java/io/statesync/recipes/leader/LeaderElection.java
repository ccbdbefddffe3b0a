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
package io.statesync.recipes.leader;

import io.statesync.core.Coordinator;
import io.statesync.core.GuardedWrite;
import io.statesync.core.Listenable;
import io.statesync.core.NotLeaderException;
import io.statesync.core.Recipe;
import io.statesync.core.internal.BuilderOptions;
import io.statesync.core.internal.ZPaths;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Leader election among the participants of one election path, with leadership values carrying a
 * fencing epoch, leader-guarded writes and an optional singleton task.
 *
 * <pre>{@code
 * try (LeaderElection election = LeaderElection.builder(coordinator, "/elections/billing")
 *         .participantId("node-1")
 *         .scheduledTask(Duration.ofSeconds(30), leadership -> runBilling(leadership.epoch()))
 *         .onTaskStop(stop -> log.info("billing stopped: {}", stop))
 *         .build()) {
 *     election.start();
 *     ...
 * }
 * }</pre>
 *
 * <p>Each participant creates an ephemeral sequential znode under the election path; the first in
 * line leads, every other one watches only its predecessor (and the leader's znode, to report who
 * leads). Leadership changes reach {@link io.statesync.core.StateListener}s as changes of a {@link
 * Leadership} value on the election path: INITIAL, then CREATED (a leader appeared), UPDATED (another
 * leader), DELETED (no leader known to this node, e.g. after a connection loss) and RESYNCED (the
 * first leader seen after a connection loss).
 *
 * <p><b>Guarantees.</b>
 *
 * <ul>
 *   <li>Epochs (the czxid of the leader's znode) strictly increase across leaders; a listener is
 *       never shown a lower epoch than one it has seen.
 *   <li>A node leads only while its znode is first in line and owned by its current session (the
 *       CURATOR-696 double leader cannot happen), and never while a task of its previous leadership
 *       is still running.
 *   <li>A leader gives up (its task is interrupted) on the coordinator's thread, on the connection
 *       event itself, before any listener hears of it; a clean handover (close, relinquish, task end)
 *       deletes the leader's znode only after its task has ended.
 *   <li>A successor that finds the previous leader vanished without a clean handover (crash,
 *       session expiry) waits {@link Builder#takeoverDelay} before it leads, so that the old leader,
 *       told of the loss, has stopped its task first.
 *   <li>{@link #write(GuardedWrite)} lands only if this node still leads: a deposed leader's write
 *       fails with {@link NotLeaderException} and nothing lands.
 * </ul>
 *
 * <p><b>Connection loss.</b> Which transitions are losses is decided by the coordinator's {@link
 * io.statesync.core.ConnectionLossPolicy}. On a loss the leader gives up at once (after the {@link
 * Builder#suspendGrace grace period} for SUSPENDED, if one is set), its task is interrupted, and
 * listeners see DELETED. On SUSPENDED the znode is kept: if the session survives (RECONNECTED, same
 * session), the node takes its place in line again and, if still first, leads again with the same
 * epoch once its task has ended. On LOST, or RECONNECTED with a new session (even if LOST was never
 * reported), the old znode is gone and the node joins again at the back of the line. With T the
 * session timeout, a silent partition is noticed at about 2T/3; the server expires the session (and
 * a successor can be elected) at about T; the task has stopped by then.
 *
 * <p><b>Access denied.</b> If the coordinator's credentials do not permit joining the election
 * (creating or reading under its path), an {@link io.statesync.core.AccessDeniedException} naming
 * the path reaches {@code onError} once, {@link #awaitLeadership} throws it, and the election
 * retries with a backoff that doubles from 250 ms to 30 s (so that a corrected ACL is picked up)
 * without reporting again until a retry has succeeded.
 *
 * <p><b>Data layout.</b> If the election's znode is in a newer release's data layout, an {@link
 * io.statesync.core.IncompatibleLayoutException} naming it reaches {@code onError} once, this node
 * does not join (nothing is written), and it checks again every 30 s.
 *
 * <p><b>Threading.</b> Thread-safe. Elections run their ZooKeeper work on one thread of their own,
 * in passes that each end by the coordinator's {@linkplain Coordinator#operationTimeout() operation
 * timeout} (a pass cut short is tried again 250 ms later or on the next connection); the task runs
 * on another thread; connection losses are handled on the coordinator's event thread. Listeners
 * are called through statesync's delivery engine, never while the election holds its lock.
 */
public interface LeaderElection extends Recipe, Listenable<Leadership> {

    /**
     * Starts building an election.
     *
     * @param coordinator the connection
     * @param path the election path, relative to the coordinator's namespace; every participant of
     *     one election uses the same path, and nothing else may create children under it
     * @return a builder
     */
    static Builder builder(Coordinator coordinator, String path) {
        return new Builder(coordinator, path);
    }

    /**
     * This participant's id.
     *
     * @return the id
     */
    String participantId();

    /**
     * Whether this node leads now. Turns {@code false} on the connection event that ends leadership,
     * before any listener is called; and, without a suspend grace, as soon as the server has not
     * replied for as long as the coordinator's loss policy allows (two thirds of the negotiated
     * session timeout under {@code ON_SUSPENDED}, the negotiated session timeout under {@code
     * ON_LOST}), also before the client has reported anything: this call then stops the task itself,
     * as after this process was paused past its session.
     *
     * @return {@code true} if this node leads
     */
    boolean isLeader();

    /**
     * The leadership as this node last saw it, without a network call; empty while no leader is
     * known (before the first read, after a connection loss, while the line is empty). While this
     * node waits to take over (its previous task still running, or the takeover delay) it is not shown
     * as leader here.
     *
     * @return the current leadership, if known
     */
    Optional<Leadership> leadership();

    /**
     * The id of the current leader as this node last saw it (the value Spring Integration's leader
     * initiator does not give); empty while none is known.
     *
     * @return the leader's id, if known
     */
    Optional<String> currentLeader();

    /**
     * Reads the participants as {@link #participants(Duration)} does, within the coordinator's
     * {@link Coordinator#operationTimeout() operation timeout}.
     *
     * @return the participant ids
     * @throws InterruptedException if interrupted before the first read was sent
     * @throws io.statesync.core.OperationTimeoutException outcome NOT_APPLIED, if the reads did not
     *     complete within the operation timeout, or the thread was interrupted while waiting (its
     *     interrupt flag set again)
     * @throws io.statesync.core.ConnectionLossException if the coordinator's retry policy gave up
     *     before the deadline
     * @throws io.statesync.core.StateSyncException typed by cause (e.g. access denied), if ZooKeeper
     *     refuses a read
     * @throws IllegalStateException if not started, or closed
     */
    List<String> participants() throws InterruptedException;

    /**
     * Reads the participants from ZooKeeper, in line order (the first leads, or is about to). The
     * reads are repeated after a lost connection by the coordinator's retry policy, all within one
     * deadline: the call returns within {@code timeout} (plus scheduling), also behind a silent
     * partition.
     *
     * @param timeout how long the reads may take; zero or positive
     * @return the participant ids
     * @throws InterruptedException if interrupted before the first read was sent
     * @throws NullPointerException if {@code timeout} is {@code null}
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws io.statesync.core.OperationTimeoutException outcome NOT_APPLIED, if the reads did not
     *     complete within {@code timeout}, or the thread was interrupted while waiting (its interrupt
     *     flag set again)
     * @throws io.statesync.core.ConnectionLossException if the coordinator's retry policy gave up
     *     before the deadline
     * @throws io.statesync.core.StateSyncException typed by cause (e.g. access denied), if ZooKeeper
     *     refuses a read
     * @throws IllegalStateException if not started, or closed
     */
    List<String> participants(Duration timeout) throws InterruptedException;

    /**
     * Waits until this node leads.
     *
     * @param timeout how long to wait at most
     * @return {@code true} if this node leads, {@code false} if the timeout passed or the election
     *     closed first
     * @throws InterruptedException if interrupted
     * @throws IllegalStateException if not started
     * @throws io.statesync.core.AccessDeniedException if this node does not lead because the
     *     coordinator's credentials do not permit accessing the election's path (thrown as soon as
     *     that is known, not after the timeout); the election keeps retrying with backoff
     */
    boolean awaitLeadership(Duration timeout) throws InterruptedException;

    /**
     * Gives up leadership (if held) and goes to the back of the line: the task is stopped, and once
     * it has ended this node's znode is deleted and created again, so every participant waiting now
     * leads before this node does. Returns once the node is back in line. If no other participant
     * waits, this node leads again (with a new epoch). Called from the task itself, it returns at
     * once with the task's thread interrupted (the task should then return); the node re-queues when
     * the task has returned.
     *
     * <p>Waits at most the coordinator's {@link Coordinator#operationTimeout() operation timeout}
     * for the node to be back in line; see {@link #relinquish(Duration)}.
     *
     * @throws InterruptedException if interrupted while waiting (leadership is given up already)
     * @throws io.statesync.core.OperationTimeoutException outcome UNKNOWN, if the node was not back
     *     in line within the operation timeout: leadership is given up, the re-queue goes on
     * @throws io.statesync.core.StateSyncException typed by cause, if the re-queue failed
     * @throws IllegalStateException if not started, or closed
     */
    void relinquish() throws InterruptedException;

    /**
     * Gives up leadership as {@link #relinquish()} does, waiting at most {@code timeout} for the
     * node to be back in line. Leadership is given up at once whatever happens; a silent partition
     * only delays the re-queue, and the call returns within {@code timeout} (plus scheduling).
     *
     * @param timeout how long to wait for the re-queue; zero or positive
     * @throws InterruptedException if interrupted while waiting (leadership is given up already)
     * @throws NullPointerException if {@code timeout} is {@code null}
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws io.statesync.core.OperationTimeoutException outcome UNKNOWN, if the node was not back
     *     in line within {@code timeout}: leadership is given up, the re-queue goes on
     * @throws io.statesync.core.StateSyncException typed by cause, if the re-queue failed
     * @throws IllegalStateException if not started, or closed
     */
    void relinquish(Duration timeout) throws InterruptedException;

    /**
     * Runs a guarded write as {@link #write(GuardedWrite, Duration)} does, with the coordinator's
     * {@link Coordinator#operationTimeout() operation timeout} as its timeout.
     *
     * @param write the operations, paths relative to the namespace; at least one
     * @throws NotLeaderException if this node does not lead, its znode is gone, or its session
     *     expired; nothing landed
     * @throws io.statesync.core.OperationTimeoutException outcome UNKNOWN, if no answer came within
     *     the operation timeout, or the thread was interrupted once the write was sent (its
     *     interrupt flag set again)
     * @throws io.statesync.core.ConnectionLossException if the connection dropped while the write
     *     was in flight: whether it landed is unknown
     * @throws io.statesync.core.ValueTooLargeException if the operations' data exceed the
     *     coordinator's limit; nothing is sent
     * @throws io.statesync.core.AccessDeniedException if the credentials do not permit an operation;
     *     nothing landed
     * @throws io.statesync.core.VersionConflictException if an expected version did not match;
     *     nothing landed
     * @throws IllegalArgumentException if {@code write} has no operation
     * @throws InterruptedException if interrupted before anything was sent
     * @throws io.statesync.core.StateSyncException typed by the first operation that failed otherwise
     *     (NO_NODE, NODE_EXISTS, NOT_EMPTY); nothing landed
     */
    void write(GuardedWrite write) throws InterruptedException;

    /**
     * Runs a guarded write: its operations as one ZooKeeper {@code multi} together with a {@code
     * check} of this leader's own election znode, so all land only if this node still leads. Sent
     * once, never resent automatically.
     *
     * <p><b>Timeout and interrupt.</b> The call returns within {@code timeout} (plus scheduling):
     * past it, without an answer (a silent partition), it throws {@link
     * io.statesync.core.OperationTimeoutException} with outcome UNKNOWN, since the write was sent and
     * may land (only while this node leads). An interrupt before anything was sent throws {@link
     * InterruptedException}; once the write was sent, it throws {@code OperationTimeoutException}
     * (UNKNOWN) and the thread's interrupt flag stays set.
     *
     * @param write the operations, paths relative to the namespace; at least one
     * @param timeout how long to wait for the answer; zero or positive
     * @throws NotLeaderException if this node does not lead (nothing is sent), if its znode is gone
     *     (deposed, deleted), or if its session has expired, also when this node had not heard of
     *     the expiry yet (as under {@link io.statesync.core.ConnectionLossPolicy#ON_LOST}, where a
     *     suspended leader keeps leading; the node then steps down at once); nothing landed
     * @throws io.statesync.core.ConnectionLossException if the connection dropped while the write
     *     was in flight: whether it landed is unknown
     * @throws io.statesync.core.ValueTooLargeException if the operations' data exceed the
     *     coordinator's limit; nothing is sent
     * @throws io.statesync.core.AccessDeniedException if the credentials do not permit an operation;
     *     nothing landed
     * @throws io.statesync.core.VersionConflictException if a set-data, delete or check operation's
     *     expected version did not match; nothing landed
     * @throws IllegalArgumentException if {@code write} has no operation, or {@code timeout} is
     *     negative
     * @throws io.statesync.core.OperationTimeoutException outcome UNKNOWN, if no answer came within
     *     {@code timeout}, or the thread was interrupted once the write was sent
     * @throws NullPointerException if {@code write} or {@code timeout} is {@code null}
     * @throws InterruptedException if interrupted before anything was sent
     * @throws io.statesync.core.StateSyncException typed by the first operation that failed otherwise
     *     (NO_NODE, NODE_EXISTS, NOT_EMPTY); nothing landed
     */
    void write(GuardedWrite write, Duration timeout) throws InterruptedException;

    /**
     * The last report of a task stop, if a task was stopped yet.
     *
     * @return the last stop report
     */
    Optional<TaskStop> lastTaskStop();

    /**
     * Closes the election: stops the task (waiting up to the stop timeout for it to end), hands over
     * leadership cleanly (deleting this node's znode so the next participant leads at once), removes
     * the election's watches and stops listener delivery. If the task ignores interruption past the
     * stop timeout, this returns anyway but the znode is kept until the task ends, so that no
     * successor runs beside it. Idempotent; never throws.
     *
     * <p>Returns within the stop timeout (only if a task is running) plus 2 s, also behind a silent
     * partition: the handover is waited for at most 2 s ({@link Coordinator#CLOSE_WAIT}) and then
     * goes on in the background; while disconnected it is not waited for, and the znode is deleted
     * on the next connection (only while it belongs to the session that created it) or by the
     * server when the session ends. An interrupt ends the waits; the flag stays set.
     */
    @Override
    void close();

    /**
     * Builds a {@link LeaderElection}. Each setter may be called once; {@link #build()} validates the
     * options and names the one at fault.
     */
    final class Builder {
        private final Coordinator coordinator;
        private final String path;
        private final BuilderOptions options = new BuilderOptions();
        private String participantId = UUID.randomUUID().toString();
        private String metadata = "";
        private @Nullable LeaderTask task;
        private @Nullable Duration period;
        private Duration stopTimeout = Duration.ofSeconds(10);
        private Duration suspendGrace = Duration.ZERO;
        private @Nullable Duration takeoverDelay;
        private @Nullable Consumer<TaskStop> onTaskStop;

        private Builder(Coordinator coordinator, String path) {
            this.coordinator = Objects.requireNonNull(coordinator, "coordinator");
            this.path = Objects.requireNonNull(path, "path");
        }

        /**
         * This participant's id (default: a random UUID). Shown to every participant as the leader's
         * id.
         *
         * @param id 1 to 256 characters, no control characters
         * @return this builder
         */
        public Builder participantId(String id) {
            options.once("participantId");
            this.participantId = Objects.requireNonNull(id, "id");
            return this;
        }

        /**
         * Metadata shown with this participant's id when it leads, e.g. its address (default empty).
         *
         * @param metadata any text; together with the id it must fit the coordinator's value limit
         * @return this builder
         */
        public Builder metadata(String metadata) {
            options.once("metadata");
            this.metadata = Objects.requireNonNull(metadata, "metadata");
            return this;
        }

        /**
         * The singleton task, run once per leadership on a thread of the election's own, interrupted
         * when leadership ends. Returning or throwing while still leader relinquishes leadership.
         * Exclusive with {@link #scheduledTask}.
         *
         * @param task the task
         * @return this builder
         */
        public Builder task(LeaderTask task) {
            options.once("task");
            this.task = Objects.requireNonNull(task, "task");
            return this;
        }

        /**
         * A scheduled singleton task: {@code tick} runs at once when this node becomes leader and then
         * every {@code period} (measured from the start of one tick to the start of the next, skipping
         * ticks that a long one overran), only while this node leads. An exception in a tick is
         * logged and does not stop the schedule. Exclusive with {@link #task}.
         *
         * @param period the time between ticks, at least 1 ms
         * @param tick one run of the job
         * @return this builder
         */
        public Builder scheduledTask(Duration period, LeaderTask tick) {
            options.once("task");
            this.period = Objects.requireNonNull(period, "period");
            this.task = Objects.requireNonNull(tick, "tick");
            return this;
        }

        /**
         * How long a stopped task may take to end after its interrupt before it is reported as
         * overrunning (default 10 s). {@link #close()} waits this long at most.
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder stopTimeout(Duration timeout) {
            options.once("stopTimeout");
            this.stopTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * How long a leader keeps leading through a SUSPENDED connection before giving up (default
         * zero: at once). It must be shorter than a third of the coordinator's session timeout: in a
         * silent partition SUSPENDED comes at about 2T/3 and the server may hand leadership to another
         * node at T, so only a grace under T/3 (minus the task's stop time) still stops the task first.
         * Only applies where the coordinator's policy counts SUSPENDED as a loss; LOST is never
         * graced.
         *
         * @param grace zero or positive, under a third of the session timeout
         * @return this builder
         */
        public Builder suspendGrace(Duration grace) {
            options.once("suspendGrace");
            this.suspendGrace = Objects.requireNonNull(grace, "grace");
            return this;
        }

        /**
         * How long a new leader waits before it leads when the previous leader did not hand over
         * cleanly (its znode vanished by crash, session expiry or deletion while it still led), so
         * that the previous leader, told of its loss by the server, has stopped its task first
         * (default: the stop timeout plus a third of the session timeout the server granted ({@link
         * Coordinator#negotiatedSessionTimeout()}, read when the delay starts): a connected client
         * whose session the server expired learns of it by its next ping, within a third of the
         * session timeout). Clean handovers (close, relinquish, task end) are not delayed.
         *
         * @param delay zero or positive
         * @return this builder
         */
        public Builder takeoverDelay(Duration delay) {
            options.once("takeoverDelay");
            this.takeoverDelay = Objects.requireNonNull(delay, "delay");
            return this;
        }

        /**
         * Receives a report of every task stop (see {@link TaskStop}); called on the task's thread or
         * on the election's timer thread, and must not block. Reports are also logged.
         *
         * @param listener the report listener
         * @return this builder
         */
        public Builder onTaskStop(Consumer<TaskStop> listener) {
            options.once("onTaskStop");
            this.onTaskStop = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Validates the options and builds the election, not yet started. Nothing touches the
         * network.
         *
         * @return the election
         * @throws IllegalArgumentException naming the option and value at fault
         */
        public LeaderElection build() {
            ZPaths.validate(path);
            if (path.equals("/")) {
                throw new IllegalArgumentException("invalid election path \"/\": use a path of its own");
            }
            if (participantId.isEmpty() || participantId.length() > 256) {
                throw new IllegalArgumentException(
                        "participantId must be 1 to 256 characters, was \"" + participantId + "\"");
            }
            for (int i = 0; i < participantId.length(); i++) {
                if (Character.isISOControl(participantId.charAt(i))) {
                    throw new IllegalArgumentException("participantId \"" + participantId.replace("\n", "\\n")
                            + "\" contains a control character at index " + i);
                }
            }
            if (stopTimeout.isNegative() || stopTimeout.isZero()) {
                throw new IllegalArgumentException("stopTimeout must be positive, was " + stopTimeout);
            }
            if (suspendGrace.isNegative()) {
                throw new IllegalArgumentException("suspendGrace must not be negative, was " + suspendGrace);
            }
            Duration granted = coordinator.negotiatedSessionTimeout();
            Duration maxGrace = granted.dividedBy(3);
            if (!suspendGrace.isZero() && suspendGrace.compareTo(maxGrace) >= 0) {
                throw new IllegalArgumentException("suspendGrace " + suspendGrace
                        + " must be shorter than a third of the session timeout " + granted
                        + " (" + maxGrace + "): a partitioned leader notices at about 2/3 of it, and the server"
                        + " may elect a successor at the session timeout");
            }
            // Unset: derived from the granted session timeout each time it is used (takeoverDelay()).
            Duration delay = takeoverDelay;
            if (delay != null && delay.isNegative()) {
                throw new IllegalArgumentException("takeoverDelay must not be negative, was " + delay);
            }
            Duration p = period;
            if (p != null && p.toMillis() < 1) {
                throw new IllegalArgumentException("scheduledTask period must be at least 1ms, was " + p);
            }
            byte[] data = Participants.encode(participantId, metadata);
            coordinator.checkValueSize(path, data);
            return new DefaultLeaderElection(
                    coordinator,
                    path,
                    participantId,
                    metadata,
                    task,
                    p,
                    stopTimeout,
                    suspendGrace,
                    delay,
                    onTaskStop,
                    TaskRunner.executor(coordinator, "statesync-leader-" + participantId));
        }
    }
}
