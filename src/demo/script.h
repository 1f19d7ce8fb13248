/*
 * script.h: the scripted Slack conversation of `envstats demo`. A week of
 * a team's environments plays out through the loopback Slack emulator
 * (the provisioner bot's messages, people's /mural-env commands, a relay
 * to a fake provisioner, a re-provision), then people ask /envstats; the
 * conversation is printed as a transcript, as Slack would show it.
 *
 * Runs on its own thread while the bot serves on the main thread.
 */
#ifndef ENVSTATS_SCRIPT_H
#define ENVSTATS_SCRIPT_H

#include <stdint.h>
#include <stdio.h>

#include "bot/bot.h"
#include "emulator/emulator.h"

/* The channel, bot and repo the demo's configuration must name. */
#define SCRIPT_CHANNEL		"C0TESTENVS"
#define SCRIPT_CHANNEL_NAME	"test-envs"
#define SCRIPT_PROVISIONER	"B05KRAKEN"
#define SCRIPT_REPO		"tactivos/mural-api"

/*
 * Play the script against emu and bot, printing to out; returns 0 when
 * every step got its answer, 1 otherwise. Stops the bot at the end.
 */
int	script_play(struct emulator *emu, struct bot *bot, FILE *out);

#endif
