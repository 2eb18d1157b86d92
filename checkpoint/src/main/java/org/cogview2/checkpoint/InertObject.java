package org.cogview2.checkpoint;

import java.util.List;

/**
 * An inert placeholder for an allow-listed Python object that is not plain data, e.g. the {@code set} DeepSpeed
 * stores as {@code csr_tensor_module_names}, a {@code torch.Size} of its {@code param_shapes} (one argument: the
 * dimensions), SAT's {@code args} ({@code argparse.Namespace}: no arguments, its attributes as state), or an object of
 * a global the caller allowed with {@link PickleAllowList#withInertGlobal}. It only records what the pickle said; no
 * code was run to make it.
 *
 * @param global the Python global as {@code module.name} (e.g. {@code builtins.set})
 * @param args   the arguments the pickle passed to it (converted like the rest of the tree; a set's single
 *               argument is the list of its items)
 * @param state  the state a {@code BUILD} opcode gave it, or {@code null}
 */
public record InertObject(String global, List<Object> args, Object state) {

    /** Identity-free equality would recurse through arbitrary pickled data; compare by global and identity. */
    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }

    @Override
    public String toString() {
        return "InertObject[" + global + ", " + args.size() + " arg(s)" + (state == null ? "" : ", with state") + "]";
    }
}
