/** tfjs's engine entry points that programs await before work; rnnlab's kernels load with the module. */
export async function ready(): Promise<void> {}
