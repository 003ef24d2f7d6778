//go:build cgo

package gl

import (
	"fmt"
	"strings"

	"github.com/go-gl/gl/v3.3-core/gl"
)

// gridVS draws one triangle that covers the frame, without vertex data.
const gridVS = `#version 330 core
void main() {
	vec2 p = vec2((gl_VertexID << 1) & 2, gl_VertexID & 2);
	gl_Position = vec4(p * 2.0 - 1.0, 0.0, 1.0);
}
`

// gridFS picks each pixel's colour by render/cpu's rule: a major horizontal
// line is major everywhere; a minor one is major where a major vertical
// crosses it; elsewhere verticals (major over minor) or the background.
const gridFS = `#version 330 core
uniform ivec4 grid; // minor x, minor y, major x, major y; <= 0 is off
uniform vec4 bg;
uniform vec4 minorColor;
uniform vec4 majorColor;
out vec4 frag;
bool on(int v, int n) { return n > 0 && v % n == 0; }
void main() {
	int x = int(gl_FragCoord.x);
	int y = int(gl_FragCoord.y); // framebuffer row y is scene row y
	bool mx = on(x, grid.z);
	if (on(y, grid.w)) {
		frag = majorColor;
	} else if (on(y, grid.y)) {
		frag = mx ? majorColor : minorColor;
	} else {
		frag = mx ? majorColor : (on(x, grid.x) ? minorColor : bg);
	}
}
`

// traceVS places one quad per span (an instance): one pixel column wide,
// from the first to past the last row the span touches, so that partly
// covered end rows are rasterised too and the fragment shader weighs them.
const traceVS = `#version 330 core
layout(location = 0) in vec4 span;  // x, lane top, lo, end (rows from top)
layout(location = 1) in vec4 color; // premultiplied
uniform vec2 size;
flat out vec4 vSpan;
flat out vec4 vColor;
void main() {
	vec2 c = vec2(gl_VertexID & 1, gl_VertexID >> 1);
	float x = span.x + c.x;
	float y = span.y + mix(floor(span.z), ceil(span.w), c.y);
	gl_Position = vec4(x / size.x * 2.0 - 1.0, y / size.y * 2.0 - 1.0, 0.0, 1.0);
	vSpan = span;
	vColor = color;
}
`

// traceFS blends the trace colour by the share of the pixel's row that lies
// in [lo, end), quantised to 8 bits as render/cpu does, with blending set to
// ONE, ONE_MINUS_SRC_ALPHA (premultiplied "over").
const traceFS = `#version 330 core
flat in vec4 vSpan;
flat in vec4 vColor;
out vec4 frag;
void main() {
	float r = floor(gl_FragCoord.y) - vSpan.y;
	float cov = min(r + 1.0, vSpan.w) - max(r, vSpan.z);
	if (cov <= 0.0) {
		discard;
	}
	frag = vColor * (floor(min(cov, 1.0) * 255.0 + 0.5) / 255.0);
}
`

// program compiles and links a vertex and a fragment shader.
func program(name, vs, fs string) (uint32, error) {
	v, err := shader(gl.VERTEX_SHADER, vs)
	if err != nil {
		return 0, fmt.Errorf("%s vertex shader: %w", name, err)
	}
	defer gl.DeleteShader(v)
	f, err := shader(gl.FRAGMENT_SHADER, fs)
	if err != nil {
		return 0, fmt.Errorf("%s fragment shader: %w", name, err)
	}
	defer gl.DeleteShader(f)
	p := gl.CreateProgram()
	gl.AttachShader(p, v)
	gl.AttachShader(p, f)
	gl.LinkProgram(p)
	var ok int32
	gl.GetProgramiv(p, gl.LINK_STATUS, &ok)
	if ok == gl.FALSE {
		var n int32
		gl.GetProgramiv(p, gl.INFO_LOG_LENGTH, &n)
		log := strings.Repeat("\x00", int(n)+1)
		gl.GetProgramInfoLog(p, n, nil, gl.Str(log))
		gl.DeleteProgram(p)
		return 0, fmt.Errorf("link %s program: %s", name, strings.TrimRight(log, "\x00"))
	}
	return p, nil
}

func shader(kind uint32, src string) (uint32, error) {
	s := gl.CreateShader(kind)
	cs, free := gl.Strs(src + "\x00")
	defer free()
	gl.ShaderSource(s, 1, cs, nil)
	gl.CompileShader(s)
	var ok int32
	gl.GetShaderiv(s, gl.COMPILE_STATUS, &ok)
	if ok == gl.FALSE {
		var n int32
		gl.GetShaderiv(s, gl.INFO_LOG_LENGTH, &n)
		log := strings.Repeat("\x00", int(n)+1)
		gl.GetShaderInfoLog(s, n, nil, gl.Str(log))
		gl.DeleteShader(s)
		return 0, fmt.Errorf("compile: %s", strings.TrimRight(log, "\x00"))
	}
	return s, nil
}

// uniform looks a uniform up by name; a missing one is a bug in the
// shaders above, reported as an error rather than drawn wrong.
func uniform(p uint32, name string) (int32, error) {
	l := gl.GetUniformLocation(p, gl.Str(name+"\x00"))
	if l < 0 {
		return 0, fmt.Errorf("no uniform %q", name)
	}
	return l, nil
}
