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

// gridFS picks each pixel's colour by render/cpu's rule from the line
// class (0 none, 1 minor, 2 major) of its column, at lines[x], and of its
// row, at lines[rowsAt + y] (render.Grid.AppendColumns and AppendRows): a
// major horizontal line is major everywhere; a minor one is major where a
// major vertical crosses it; elsewhere verticals (major over minor) or the
// background.
const gridFS = `#version 330 core
uniform usamplerBuffer lines;
uniform int rowsAt;
uniform vec4 bg;
uniform vec4 minorColor;
uniform vec4 majorColor;
out vec4 frag;
void main() {
	int x = int(gl_FragCoord.x);
	int y = int(gl_FragCoord.y); // framebuffer row y is scene row y
	uint cx = texelFetch(lines, x).r;
	uint cy = texelFetch(lines, rowsAt + y).r;
	bool mx = cx == 2u;
	if (cy == 2u) {
		frag = majorColor;
	} else if (cy == 1u) {
		frag = mx ? majorColor : minorColor;
	} else {
		frag = mx ? majorColor : (cx == 1u ? minorColor : bg);
	}
}
`

// traceVS places one quad per run (an instance) of trace columns: from
// the first to past the last row any of its columns touches, so that
// partly covered end rows are rasterised too and the fragment shader
// weighs them.
const traceVS = `#version 330 core
layout(location = 0) in vec4 run;   // first column, columns, lane top, base index
layout(location = 1) in vec2 rows;  // box rows [lo, end) from the lane top
layout(location = 2) in vec4 color; // premultiplied
uniform vec2 size;
flat out vec3 vRun; // first column, lane top, base index
flat out vec4 vColor;
void main() {
	vec2 c = vec2(gl_VertexID & 1, gl_VertexID >> 1);
	float x = run.x + c.x * run.y;
	float y = run.z + mix(rows.x, rows.y, c.y);
	gl_Position = vec4(x / size.x * 2.0 - 1.0, y / size.y * 2.0 - 1.0, 0.0, 1.0);
	vRun = run.xzw;
	vColor = color;
}
`

// traceFS fetches its column's span [lo, end) and blends the trace colour
// by the share of the pixel's row inside it, quantised to 8 bits as
// render/cpu does, with blending set to ONE, ONE_MINUS_SRC_ALPHA
// (premultiplied "over").
const traceFS = `#version 330 core
uniform samplerBuffer cols; // lo, end per column of every run
flat in vec3 vRun;
flat in vec4 vColor;
out vec4 frag;
void main() {
	int i = int(vRun.z) + int(gl_FragCoord.x) - int(vRun.x);
	vec2 s = texelFetch(cols, i).xy;
	float r = floor(gl_FragCoord.y) - vRun.y;
	float cov = min(r + 1.0, s.y) - max(r, s.x);
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
