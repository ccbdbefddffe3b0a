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

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.scheduling.annotation.ScheduledAnnotationBeanPostProcessor;
import org.springframework.scheduling.annotation.SchedulingConfiguration;
import org.springframework.scheduling.config.TaskManagementConfigUtils;

/**
 * Where {@code @EnableScheduling} registered Spring's {@code @Scheduled} processor, registers {@link
 * LeaderOnlyScheduledAnnotationBeanPostProcessor} in its place, under the same name. Runs after the
 * configuration classes have been read (it is an ordinary registry post-processor, so after
 * Spring's), and leaves a processor the application registered itself alone (with a warning: {@code
 * @LeaderOnly} then has no effect).
 */
final class LeaderOnlySchedulingRegistrar implements BeanDefinitionRegistryPostProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderOnlySchedulingRegistrar.class);
    static final String NAME = TaskManagementConfigUtils.SCHEDULED_ANNOTATION_PROCESSOR_BEAN_NAME;

    @Override
    public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) {
        if (!registry.containsBeanDefinition(NAME)) {
            return; // no @EnableScheduling: no @Scheduled method runs at all
        }
        BeanDefinition existing = registry.getBeanDefinition(NAME);
        if (!isSpringsOwn(registry, existing)) {
            LOG.warn(
                    "the @Scheduled processor {} is not Spring's own ({}): @LeaderOnly methods are not gated by"
                            + " their election",
                    NAME,
                    existing);
            return;
        }
        RootBeanDefinition replacement = new RootBeanDefinition(LeaderOnlyScheduledAnnotationBeanPostProcessor.class);
        replacement.setRole(BeanDefinition.ROLE_INFRASTRUCTURE);
        replacement.setSource(existing.getSource());
        registry.removeBeanDefinition(NAME);
        registry.registerBeanDefinition(NAME, replacement);
    }

    private static boolean isSpringsOwn(BeanDefinitionRegistry registry, BeanDefinition existing) {
        String className = existing.getBeanClassName();
        if (ScheduledAnnotationBeanPostProcessor.class.getName().equals(className)
                || LeaderOnlyScheduledAnnotationBeanPostProcessor.class
                        .getName()
                        .equals(className)) {
            return true;
        }
        String factoryBean = existing.getFactoryBeanName();
        if (factoryBean == null || !registry.containsBeanDefinition(factoryBean)) {
            return false;
        }
        return SchedulingConfiguration.class
                        .getName()
                        .equals(registry.getBeanDefinition(factoryBean).getBeanClassName())
                && "scheduledAnnotationProcessor".equals(existing.getFactoryMethodName());
    }

    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
        // everything is done on the registry
    }
}
