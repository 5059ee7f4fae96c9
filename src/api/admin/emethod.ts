// Routes `emethod` spellings to one canonical name: do_get_task_status, get_task_status, getTaskStatus and
// doGetTaskStatus all name the same call (the original implementation prefixed `do_` itself).
export function canonicalEmethod(raw: string): string {
  const snake = raw
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase();
  return snake.startsWith('do_') ? snake.slice(3) : snake;
}
