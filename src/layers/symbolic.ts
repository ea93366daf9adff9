/** The functional API's graph types, defined beside Layer (a Node registers itself on its layer). */
export { Node, SymbolicTensor, isSymbolic, type NodeArgs, type SymbolicDType } from './layer.js';
