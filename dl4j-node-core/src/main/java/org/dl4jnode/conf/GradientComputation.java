package org.dl4jnode.conf;

import org.dl4jnode.samediff.solve.Tolerances;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonIgnore;
import org.nd4j.shade.jackson.annotation.JsonInclude;
import org.nd4j.shade.jackson.annotation.JsonProperty;
import org.nd4j.shade.jackson.annotation.JsonSubTypes;
import org.nd4j.shade.jackson.annotation.JsonTypeInfo;

import java.io.Serializable;
import java.util.Objects;

/**
 * How an ODE layer's gradients are computed, an immutable value that its JSON carries:
 * {@link #backprop()} or {@link #adjoint()} (optionally with its own tolerances). JSON:
 * {@code {"type" : "backprop"}}, {@code {"type" : "checkpointed", "memoryBytes" : ...}} or
 * {@code {"type" : "adjoint", "rtol" : ..., "atol" : ..., "seminorm" : true}}
 * (no tolerances: the forward solve's; no seminorm: false).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(value = GradientComputation.Backprop.class, name = "backprop"),
        @JsonSubTypes.Type(value = GradientComputation.Adjoint.class, name = "adjoint"),
        @JsonSubTypes.Type(value = GradientComputation.Checkpointed.class, name = "checkpointed")})
public sealed interface GradientComputation extends Serializable
        permits GradientComputation.Backprop, GradientComputation.Adjoint, GradientComputation.Checkpointed {

    /** The default memory budget of {@link #checkpointed(long)}: 64 MiB. */
    long DEFAULT_CHECKPOINT_MEMORY = 64L << 20;

    /**
     * Backprop's gradient with the states' memory bounded by {@code memoryBytes} (&gt;= 1): states kept
     * every K steps, the steps between replayed in the backward pass.
     */
    static Checkpointed checkpointed(long memoryBytes) {
        return new Checkpointed(memoryBytes);
    }

    /** Backpropagation through the solver's steps: the discrete solve's exact gradient. */
    static Backprop backprop() {
        return Backprop.INSTANCE;
    }

    /** The continuous adjoint, its backward solve with the forward solve's tolerances. */
    static Adjoint adjoint() {
        return new Adjoint(null, null, false);
    }

    /** The continuous adjoint, its backward (adaptive) solve with these tolerances. */
    static Adjoint adjoint(double rtol, double atol) {
        return new Adjoint(rtol, atol, false);
    }

    /** The enum this value corresponds to. */
    @JsonIgnore
    GradientMode mode();

    /** Backpropagation through the steps. */
    final class Backprop implements GradientComputation {
        private static final long serialVersionUID = 1L;
        static final Backprop INSTANCE = new Backprop();

        @JsonCreator
        static Backprop create() {
            return INSTANCE;
        }

        private Backprop() {
        }

        @Override
        public GradientMode mode() {
            return GradientMode.BACKPROP;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Backprop;
        }

        @Override
        public int hashCode() {
            return 1;
        }

        @Override
        public String toString() {
            return "BACKPROP";
        }

        private Object readResolve() {
            return INSTANCE;
        }
    }

    /** The continuous adjoint. */
    final class Adjoint implements GradientComputation {
        private static final long serialVersionUID = 1L;
        /** Both null: the forward solve's tolerances. */
        private final Double rtol;
        private final Double atol;
        private final boolean seminorm;

        /** Both null: the forward solve's tolerances; otherwise both are checked as tolerances. */
        @JsonCreator
        Adjoint(@JsonProperty("rtol") Double rtol, @JsonProperty("atol") Double atol,
                @JsonProperty("seminorm") Boolean seminorm) {
            if (rtol != null || atol != null) {
                new Tolerances(rtol == null ? Double.NaN : rtol, atol == null ? Double.NaN : atol); // checks them
            }
            this.rtol = rtol;
            this.atol = atol;
            this.seminorm = Boolean.TRUE.equals(seminorm);
        }

        /**
         * This adjoint with its backward solve's error control over the state and its cotangent only,
         * [h, a], not the parameter gradients (Kidger, Chen and Lyons 2021, torchdiffeq's
         * {@code norm="seminorm"}): those integrate a quadrature that never feeds back into the solve, so
         * their error need not shrink the steps; fewer backward steps at the same gradient accuracy.
         */
        public Adjoint withSeminorm(boolean seminorm) {
            return new Adjoint(rtol, atol, seminorm);
        }

        /** True when the backward solve's error control skips the parameter gradients. */
        @JsonProperty("seminorm")
        @JsonInclude(JsonInclude.Include.NON_DEFAULT)
        public boolean seminorm() {
            return seminorm;
        }

        /** The backward solve's own tolerances, or null for the forward solve's. */
        @JsonIgnore
        public Tolerances tolerances() {
            return rtol == null ? null : new Tolerances(rtol, atol);
        }

        @JsonProperty("rtol")
        @JsonInclude(JsonInclude.Include.NON_NULL)
        Double rtol() {
            return rtol;
        }

        @JsonProperty("atol")
        @JsonInclude(JsonInclude.Include.NON_NULL)
        Double atol() {
            return atol;
        }

        @Override
        public GradientMode mode() {
            return GradientMode.ADJOINT;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Adjoint a && Objects.equals(a.rtol, rtol) && Objects.equals(a.atol, atol)
                    && a.seminorm == seminorm;
        }

        @Override
        public int hashCode() {
            return Objects.hash(rtol, atol, seminorm);
        }

        @Override
        public String toString() {
            String options = (rtol == null ? "" : "rtol=" + rtol + ", atol=" + atol)
                    + (seminorm ? (rtol == null ? "" : ", ") + "seminorm" : "");
            return options.isEmpty() ? "ADJOINT" : "ADJOINT(" + options + ")";
        }
    }

    /** Backprop through replayed runs of steps between checkpoints. */
    final class Checkpointed implements GradientComputation {
        private static final long serialVersionUID = 1L;
        private final long memoryBytes;

        @JsonCreator
        Checkpointed(@JsonProperty("memoryBytes") long memoryBytes) {
            if (memoryBytes < 1) {
                throw new IllegalArgumentException("a checkpointed gradient needs a memory budget >= 1 byte, got "
                        + memoryBytes);
            }
            this.memoryBytes = memoryBytes;
        }

        /** The budget of the states a replayed run of steps holds, bytes. */
        @JsonProperty("memoryBytes")
        public long memoryBytes() {
            return memoryBytes;
        }

        @Override
        public GradientMode mode() {
            return GradientMode.CHECKPOINTED;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Checkpointed c && c.memoryBytes == memoryBytes;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(memoryBytes);
        }

        @Override
        public String toString() {
            return "CHECKPOINTED(" + memoryBytes + " bytes)";
        }
    }
}
