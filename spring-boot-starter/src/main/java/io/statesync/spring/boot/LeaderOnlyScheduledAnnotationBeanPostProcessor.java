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
package io.statesync.spring.boot;

import io.statesync.recipes.leader.Leadership;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.scheduling.annotation.ScheduledAnnotationBeanPostProcessor;
import org.springframework.util.ReflectionUtils;

/**
 * Spring's {@code @Scheduled} processor, with one change: the task of a method annotated {@link
 * LeaderOnly @LeaderOnly} passes the election's gate on every trigger. Triggers (fixed rate, fixed
 * delay, cron, time zones, initial delays, the scheduler) are Spring's own; only the {@link
 * Runnable} it schedules differs, through {@link #createRunnable(Object, Method, String)}, the
 * extension point Spring documents for this.
 */
final class LeaderOnlyScheduledAnnotationBeanPostProcessor extends ScheduledAnnotationBeanPostProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderOnlyScheduledAnnotationBeanPostProcessor.class);

    private @Nullable BeanFactory factory;

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        super.setBeanFactory(beanFactory);
        this.factory = beanFactory;
    }

    @Override
    protected Runnable createRunnable(Object target, Method method, @Nullable String qualifier) {
        LeaderOnly leaderOnly = AnnotatedElementUtils.findMergedAnnotation(method, LeaderOnly.class);
        if (leaderOnly == null) {
            return super.createRunnable(target, method, qualifier);
        }
        BeanFactory beans = Objects.requireNonNull(factory, "bean factory");
        LeaderGate gate = beans.getBean(LeaderOnlyElections.class).gate(leaderOnly.value());
        LeaderGate.Invocation invocation;
        if (method.getParameterCount() == 0) {
            Runnable plain = super.createRunnable(target, method, qualifier);
            invocation = leadership -> plain.run();
        } else if (method.getParameterCount() == 1 && method.getParameterTypes()[0] == Leadership.class) {
            Method invocable = AopUtils.selectInvocableMethod(method, target.getClass());
            ReflectionUtils.makeAccessible(invocable);
            invocation = leadership -> invoke(target, invocable, leadership);
        } else {
            throw new IllegalArgumentException("a @LeaderOnly @Scheduled method takes no parameter or one "
                    + Leadership.class.getName() + "; " + method + " takes " + method.getParameterCount());
        }
        String description = method.getDeclaringClass().getSimpleName() + "." + method.getName();
        return new LeaderOnlyRunnable(gate, invocation, description);
    }

    private static void invoke(Object target, Method method, Leadership leadership) {
        try {
            method.invoke(target, leadership);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getTargetException();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new UndeclaredThrowableException(cause);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot call " + method, e);
        }
    }

    /** The scheduled task of a leader-only method. */
    private static final class LeaderOnlyRunnable implements Runnable {
        private final LeaderGate gate;
        private final LeaderGate.Invocation invocation;
        private final String description;

        LeaderOnlyRunnable(LeaderGate gate, LeaderGate.Invocation invocation, String description) {
            this.gate = gate;
            this.invocation = invocation;
            this.description = description;
        }

        @Override
        public void run() {
            if (!gate.runIfLeader(invocation)) {
                LOG.trace("{} skipped: not the leader of @LeaderOnly(\"{}\")", description, gate.name());
            }
        }

        @Override
        public String toString() {
            return description + " @LeaderOnly(\"" + gate.name() + "\")";
        }
    }
}
