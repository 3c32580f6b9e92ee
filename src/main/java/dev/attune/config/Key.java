package dev.attune.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a config key on the record component that holds its value: the YAML name, the default (as YAML text;
 * empty means none), the range of a number, whether it is required, and for {@code learning_rate} whether
 * {@code auto} is allowed. The parser, the defaults, the range checks and the resolved {@code config.yaml} are all
 * driven from these declarations, so each key is written down once. The component's type is the key's type:
 * text, whole or real number, true/false, a list of strings, or an enum whose constants are the allowed values.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
@interface Key {
    String value();

    String def() default "";

    double min() default -9.007199254740992E15;

    double max() default 9.007199254740992E15;

    boolean required() default false;

    boolean auto() default false;
}
