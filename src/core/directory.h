/* directory.h: the directory's demo data (commune centres, positions, hours, links of data/demo/territory.json) */
#ifndef KQ_DIRECTORY_H
#define KQ_DIRECTORY_H
#include "core.h"

/* Writes the "lat"/"lon" of the demo communes and the "directory" objects of
 * the demo organisations (lat, lon, hours[7] as typed, note, links). Runs
 * inside the demo's transaction (core/demo.c), after the organisations.
 * Errors: INTERNAL (a value the checks refuse: the demo file is wrong). */
enum kq_err directory_load_demo(struct db *db);

#endif
