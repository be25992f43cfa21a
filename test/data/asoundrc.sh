# Sourced by the capture tests: asoundrc_file NAME INFILE appends to
# $HOME/.asoundrc a capture PCM NAME that reads INFILE through alsa-lib's
# `file` plugin over the `null` plugin: the real ALSA path, no sound card.
# It delivers as fast as it is read (no pacing); past the end of INFILE
# it delivers silence.
asoundrc_file() {
	cat >>"$HOME/.asoundrc" <<EOT
pcm.$1 {
	type file
	slave.pcm "null"
	file "/dev/null"
	infile "$2"
	format "raw"
}
EOT
}
